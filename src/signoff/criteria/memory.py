"""``memory``: peak memory of one call, candidate / reference.

Each pair measures one call on each side, each in a fresh worker (so nothing
cached by an earlier call hides an allocation), at one workload size. The
peak is the larger of the Python allocations seen by tracemalloc and the
growth of the worker's resident set (native allocations, e.g. numpy or C
extensions). A small floor is added to both sides so that a few kilobytes of
interpreter noise cannot make a huge ratio out of nothing.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from signoff.criteria.base import CheckContext, Criterion, EvidenceView
from signoff.criteria.cost import CostContext, SideFault, out_of_time
from signoff.errors import SpecError
from signoff.inputs import require_positive, require_seconds
from signoff.runner.measure import Fault, MemoryPeak, peak_memory
from signoff.runner.process import Worker
from signoff.verdict import CheckResult

DEFAULT_AT_MOST = 2.0  # twice the reference's peak: a different algorithm, not a leak or a copy per item
DEFAULT_PAIRS = 3  # memory barely varies between runs; three pairs show whether it does
DEFAULT_BUDGET_S = 30.0  # each pair starts two fresh workers
# Below this, differences are interpreter noise (free lists, caches), not the algorithm.
FLOOR_BYTES = 64 << 10


@dataclass(frozen=True)
class Memory(Criterion):
    name: ClassVar[str] = "memory"
    run_order: ClassVar[int] = 1  # a few fresh workers: cheaper than timing
    needs_workload: ClassVar[bool] = True
    view: ClassVar[EvidenceView] = EvidenceView(
        figures=("ratio", "ci95", "at_most", "pairs", "size", "method", "fault"),
        layouts=(("memory_peaks", ("reference_bytes", "candidate_bytes")),),
    )
    at_most: float = DEFAULT_AT_MOST
    size: int | None = None
    pairs: int = DEFAULT_PAIRS
    budget_s: float = DEFAULT_BUDGET_S

    def check(self, context: CheckContext) -> CheckResult:
        return check_memory(self, context.costs)


def memory(at_most: float = DEFAULT_AT_MOST, *, size: int | None = None, pairs: int = DEFAULT_PAIRS,
           budget: float = DEFAULT_BUDGET_S) -> Memory:
    """Peak memory of one call, candidate / reference, is at most ``at_most``.

    Each pair measures one call in a fresh worker on each side (tracemalloc
    peak and resident-set growth, the larger counts), at the workload's
    ``size`` (default: largest).
    """
    require_positive(at_most, "memory(at_most=...)")
    require_seconds(budget, "memory(budget=...)")
    if not isinstance(pairs, int) or pairs < 1:
        raise SpecError(f"memory(pairs=...) must be an int >= 1, not {pairs!r}")
    return Memory(float(at_most), size, pairs, float(budget))


def check_memory(criterion: Memory, context: CostContext) -> CheckResult:
    size = criterion.size if criterion.size is not None else max(context.workload.sizes)
    deadline = time.monotonic() + criterion.budget_s
    unequal = context.unequal_work(Memory.name, size, context.fresh_input(size))
    if unequal:
        return unequal
    peaks: dict[str, list[MemoryPeak]] = {"reference": [], "candidate": []}
    for _ in range(criterion.pairs):
        if out_of_time(deadline) and peaks["candidate"]:
            break
        case = context.fresh_input(size)
        for role, template in (("reference", context.reference), ("candidate", context.candidate)):
            result = _measure_fresh(template, case)
            if isinstance(result, Fault):
                return SideFault(role, size, result).result(Memory.name)
            peaks[role].append(result)
    ratios = [(c.peak_bytes + FLOOR_BYTES) / (r.peak_bytes + FLOOR_BYTES)
              for r, c in zip(peaks["reference"], peaks["candidate"], strict=True)]
    ratio = statistics.median(ratios)
    evidence: dict[str, Any] = {
        "ratio": ratio,
        "ci95": [min(ratios), max(ratios)],  # the range over pairs: memory barely varies
        "pairs": len(ratios),
        "at_most": criterion.at_most,
        "size": size,
        "reference_bytes": [p.peak_bytes for p in peaks["reference"]],
        "candidate_bytes": [p.peak_bytes for p in peaks["candidate"]],
        "method": f"max(tracemalloc peak, {peaks['candidate'][0].method}) + {FLOOR_BYTES >> 10} KiB floor",
    }
    text = (f"{ratio:.3g}x the reference's peak memory at size {size} "
            f"({_mib(peaks['candidate'])} vs {_mib(peaks['reference'])})")
    if max(ratios) <= criterion.at_most:
        return CheckResult(Memory.name, "pass", f"{text} <= {criterion.at_most:g}x", evidence)
    if min(ratios) > criterion.at_most:
        return CheckResult(Memory.name, "fail", f"{text} > {criterion.at_most:g}x", evidence)
    return CheckResult(Memory.name, "inconclusive",
                       f"{text}: pairs fall on both sides of {criterion.at_most:g}x", evidence)


def _measure_fresh(template: Worker, case: bytes) -> MemoryPeak | Fault:
    worker = Worker(template.target, template.limits, template.preload, template.env,
                    fingerprint=template.fingerprint)
    failure = worker.start()
    if failure is not None:
        return Fault("crash", f"could not start a fresh worker: {failure.detail}")
    try:
        return peak_memory(worker, case, template.limits.timeout_s)
    finally:
        worker.close()


def _mib(peaks: list[MemoryPeak]) -> str:
    return f"{statistics.median(p.peak_bytes for p in peaks) / (1 << 20):.2f} MiB"
