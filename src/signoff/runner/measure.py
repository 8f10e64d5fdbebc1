"""Timing and memory measurements in a worker, cross-checked from outside.

The worker times its own calls with a clock captured before the target was
imported; the parent times the same stretch from the outside (from the
worker's "begin" frame to its result). A candidate that patches the clock or
otherwise reports less time than the parent saw is charged the parent's time,
less PARENT_SLACK_S. Whether it *forged* its clock is a separate, stricter
question (``forged_clock``): on a busy machine an honest worker's reply can
wait for the parent to be scheduled for milliseconds, so only a gap far
beyond the one the trusted reference's worker showed under the same load is
called forgery.
"""

from __future__ import annotations

import marshal
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from signoff.runner.process import Worker

# Pipe latency and scheduling on a loaded 2-core machine: the parent's view of
# a batch may exceed the worker's by this much without anything being wrong.
PARENT_SLACK_S = 0.002
# A timed batch lasts at least this long, far above the clock's resolution and
# the cross-check's slack.
MIN_BATCH_S = 0.010
MAX_BATCH_CALLS = 1_000_000
# A candidate's gap must exceed the reference's 90th-percentile gap this many times
# over to be called forgery (see forged_clock).
FORGERY_SLACK_FACTOR = 3.0
CALIBRATION_STEPS = 4


@dataclass(frozen=True, slots=True)
class Timing:
    per_call_s: float  # seconds per call, after the cross-check
    calls: int
    worker_s: float  # the whole batch, by the worker's clock
    parent_s: float  # the whole batch, seen from the parent

    @property
    def gap_s(self) -> float:
        """How much longer the parent saw the batch take than the worker said."""
        return self.parent_s - self.worker_s


@dataclass(frozen=True, slots=True)
class MemoryPeak:
    python_bytes: int  # tracemalloc peak during the call
    native_bytes: int  # resident-set growth during the call
    method: str

    @property
    def peak_bytes(self) -> int:
        return max(self.python_bytes, self.native_bytes)


@dataclass(frozen=True, slots=True)
class Fault:
    """A measurement that could not finish: the call raised, hung, crashed or ran out of memory."""

    status: str  # "raise", "timeout", "crash", "memory"
    description: str


def time_calls(worker: Worker, case: bytes, calls: int, timeout_s: float) -> Timing | Fault:
    """Time ``calls`` calls of the worker's target on one fresh copy of an input.

    One copy per batch, not per call: a copy per call would time cold caches
    at small sizes and warm ones at large sizes (where copies no longer fit),
    bending the growth curve. Every batch gets a newly unpickled copy, so no
    side keeps an object from one batch to the next.
    """
    if not worker.send(("time", case, calls)):
        return _fault(worker, "crash", "")
    deadline = time.monotonic() + timeout_s * calls + 10.0  # + unpickling the copies
    begin = worker.read_frame(deadline)
    begun = time.perf_counter()
    if begin is None:
        return _fault(worker, "timeout" if time.monotonic() >= deadline else "crash", "")
    deadline = time.monotonic() + timeout_s * calls
    reply = worker.read_frame(deadline)
    parent_s = time.perf_counter() - begun
    if reply is None:
        timed_out = time.monotonic() >= deadline
        return _fault(worker, "timeout" if timed_out else "crash", f"{timeout_s * calls:g} s")
    message = marshal.loads(reply)
    if message[0] != "timed":
        return _decoded_fault(worker, message)
    worker_s = float(message[1])
    charged = max(worker_s, parent_s - PARENT_SLACK_S)
    return Timing(charged / calls, calls, worker_s, parent_s)


def forged_clock(reference: Sequence[Timing], candidate: Sequence[Timing]) -> dict[str, float] | None:
    """Evidence that the candidate's worker under-reported its time, or None.

    The reference's worker is trusted: its gaps between the parent's view and
    its own are the slack of this machine under this load. The candidate is
    called a forger only when most of its batches (the median, so a few slow
    wake-ups of the parent do not count) show a gap over FORGERY_SLACK_FACTOR
    times the reference's 90th-percentile gap (and over PARENT_SLACK_S) and
    claim under half the time the parent saw. A forger claiming a tiny time
    shows both in every batch; an honest worker under load shows neither.
    """
    if not reference or not candidate:
        return None
    slack = max(PARENT_SLACK_S, FORGERY_SLACK_FACTOR * float(np.percentile([t.gap_s for t in reference], 90)))
    gap = float(np.median([t.gap_s for t in candidate]))
    claimed = float(np.median([t.worker_s / t.parent_s for t in candidate if t.parent_s > 0] or [1.0]))
    if gap <= slack or claimed >= 0.5:
        return None
    return {"median_gap_s": gap, "slack_s": slack, "claimed_share": claimed, "batches": len(candidate)}


def calibrate(worker: Worker, case: bytes, timeout_s: float) -> tuple[int, Timing] | Fault:
    """How many calls make a batch of at least MIN_BATCH_S, and the last timing.

    Grows the batch until it is long enough: a first call is often much
    slower than the rest (cold caches), so one step is not enough.
    """
    calls = 1
    for step in range(CALIBRATION_STEPS):
        timing = time_calls(worker, case, calls, timeout_s)
        if isinstance(timing, Fault):
            return timing
        long_enough = timing.per_call_s * calls >= MIN_BATCH_S
        if long_enough or calls >= MAX_BATCH_CALLS or step == CALIBRATION_STEPS - 1:
            return calls, timing
        calls = min(MAX_BATCH_CALLS, math.ceil(1.2 * MIN_BATCH_S / max(timing.per_call_s, 1e-9)))
    raise AssertionError("unreachable: the last step returns")


def peak_memory(worker: Worker, case: bytes, timeout_s: float) -> MemoryPeak | Fault:
    """Peak memory of one call, in the (fresh) worker."""
    if not worker.send(("memory", case)):
        return _fault(worker, "crash", "")
    reply = worker.read_frame(time.monotonic() + timeout_s * 20 + 10.0)  # tracemalloc is slow
    if reply is None:
        return _fault(worker, "crash", "")
    message = marshal.loads(reply)
    if message[0] != "memory_peak":
        return _decoded_fault(worker, message)
    return MemoryPeak(int(message[1]), int(message[2]), str(message[3]))


def _decoded_fault(worker: Worker, message: tuple[object, ...]) -> Fault:
    if message[0] == "raise":
        return Fault("raise", f"raised {str(message[1]).removeprefix('builtins.')}: {message[2]}")
    if message[0] == "memory":
        worker.restart()
        return Fault("memory", "ran out of memory (hit the worker's memory limit)")
    return _fault(worker, "crash", "sent an unexpected reply")


def _fault(worker: Worker, status: str, detail: str) -> Fault:
    """Describe why the worker stopped, then give the caller a fresh one."""
    if status == "timeout":
        description = f"timed out after {detail}"
    else:
        description = f"worker {worker.describe_death()}" + (f" ({detail})" if detail else "")
    failure = worker.restart()
    if failure is not None:
        description += f"; and it could not be restarted: {failure.detail}"
    return Fault(status, description)
