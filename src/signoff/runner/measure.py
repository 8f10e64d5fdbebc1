"""Timing, instruction counts and memory measurements in a worker, cross-checked from outside.

The worker times its own calls with a clock captured before the target was
imported, less the time the kernel kept it waiting for a CPU (Linux's
schedstat): on a busy machine the other processes' turns are not the
target's cost, its own sleeps and I/O are. The parent times the same stretch
from the outside (from its "go" to the worker's result), less the
time the kernel kept the worker's thread and its own waiting for a CPU in
that stretch, numbers the worker cannot touch (``Timing.outside_s``). A
candidate that patches the clock or otherwise claims less than that is
charged it, less PARENT_SLACK_S. Whether it *forged* its clock is a
separate, stricter question (``forged_clock``): only a gap far beyond the
one the trusted reference's worker showed under the same load is called
forgery. Where the kernel keeps no such counts (not Linux), the waits count
as 0 and both views are plain wall time. An instruction count (``count_calls``) is read by the parent
from Callgrind's dump, never taken from the worker's reply.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from signoff.runner import instructions
from signoff.runner.process import Worker, parse_reply
from signoff.runner.worker_main import PROTOCOL_BROKEN

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
# Counting: calls before the counted ones, not counted. CPython 3.11 specialises a function's
# bytecode once it has run 8 calls or loop iterations: a function with a loop is warm after one
# call, one without (a dict lookup) counted 40% more in its first two counts of 1+3 calls than
# later. So the warm-up is up to COUNT_WARMUP_CALLS calls while under COUNT_WARMUP_S of the
# worker's CPU time (not wall time: the machine's load must not change it), and at least one:
# 16 calls of a quick function; one of a call of 1 M instructions or more (0.02 s under
# Callgrind), beside which the few hundred instructions of cold bytecode are under 0.1%.
COUNT_WARMUP_CALLS = 16
COUNT_WARMUP_S = 0.02
# Counted calls per count: a count is deterministic to within 0.1% for the same call, so a
# few calls suffice, each costing a call's time 30-90 times over under Callgrind; but a counted
# region varies by about 150 instructions with the state of the allocator and the interpreter,
# so quick calls are counted more times, enough to make a region of MIN_COUNTED instructions
# (within 0.3%; a dict lookup, 1,400 instructions, counted 3 at a time spread 7%, 30 at a time
# 0.7%), up to MAX_COUNTED_CALLS (``calibrate_count``).
COUNTED_CALLS = 3
MIN_COUNTED = 50_000
MAX_COUNTED_CALLS = 1000


@dataclass(frozen=True, slots=True)
class Timing:
    per_call_s: float  # seconds per call, after the cross-check
    calls: int
    worker_s: float  # the whole batch, by the worker's clock (less its wait for a CPU)
    parent_s: float  # the whole batch, seen from the parent
    queued_s: float = 0.0  # of parent_s, the worker's and the parent's waits for a CPU (the kernel's)

    @property
    def outside_s(self) -> float:
        """The batch as the parent saw it, less the waits for a CPU."""
        return self.parent_s - self.queued_s

    @property
    def gap_s(self) -> float:
        """How much longer the parent saw the batch take than the worker said."""
        return self.outside_s - self.worker_s


@dataclass(frozen=True, slots=True)
class Count:
    """Instructions counted by Callgrind (``count_calls``)."""

    per_call: float  # instructions per call: the calls' region less the empty region, over calls
    calls: int
    region: int  # instructions of the counted region: the calls and the counting's own overhead
    overhead: int  # instructions of the same region with no call


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
    if begin is None:
        return _fault(worker, "timeout" if time.monotonic() >= deadline else "crash", "")
    if parse_reply(begin) != ("begin",):
        return _decoded_fault(worker, parse_reply(begin))
    queued_before = _queued_s(worker)
    begun = time.perf_counter()
    if not worker.send(("go",)):
        return _fault(worker, "crash", "")
    deadline = time.monotonic() + timeout_s * calls
    reply = worker.read_frame(deadline)
    parent_s = time.perf_counter() - begun
    queued = _queued_s(worker) - queued_before
    if reply is None:
        timed_out = time.monotonic() >= deadline
        return _fault(worker, "timeout" if timed_out else "crash", f"{timeout_s * calls:g} s")
    message = parse_reply(reply)
    if message is not None and message[0] == "timed" and not math.isfinite(message[1]):
        message = None  # a time no clock gives (infinite, NaN); a negative one is a stopped clock,
        # which the parent's clock outweighs and ``forged_clock`` names
    if message is None or message[0] != "timed":
        return _decoded_fault(worker, message)
    worker_s: float = message[1]
    charged = max(worker_s, parent_s - queued - PARENT_SLACK_S)  # Timing.outside_s, less the slack
    return Timing(charged / calls, calls, worker_s, parent_s, queued)


def _queued_s(worker: Worker) -> float:
    """Seconds the worker's main thread and this thread have waited for a CPU (0 where unknown)."""
    paths = ["/proc/thread-self/schedstat"]
    if worker.process is not None:
        paths.append(f"/proc/{worker.process.pid}/schedstat")
    total = 0.0
    for path in paths:
        try:
            with open(path, "rb") as stats:
                total += int(stats.read().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return 0.0
    return total


def count_calls(worker: Worker, case: bytes, calls: int, timeout_s: float) -> Count | Fault:
    """Count the instructions of ``calls`` calls of a counting worker's target
    (``process.counting_worker``) on one fresh copy of an input, after a warm-up not counted.

    The worker runs an empty counted region and then the calls' (``worker_main.count_calls``);
    the parent reads both totals from Callgrind's dumps and charges each call its share of the
    difference, at least one instruction. ``timeout_s`` is per call, under Callgrind.
    """
    assert worker.dumps is not None and worker.process is not None, "not a counting worker"
    pid = worker.process.pid
    if not worker.send(("count", case, calls, COUNT_WARMUP_CALLS, COUNT_WARMUP_S)):
        return _fault(worker, "crash", "")
    # The warm-up's time and its last call, the calls, and one more for unpickling and two dumps.
    limit = COUNT_WARMUP_S + timeout_s * (calls + 2)
    deadline = time.monotonic() + limit
    reply = worker.read_frame(deadline)
    if reply is None:
        return _fault(worker, "timeout" if time.monotonic() >= deadline else "crash", f"{limit:g} s")
    totals = instructions.take_dumps(worker.dumps, pid)
    message = parse_reply(reply)
    if message is None or message[0] != "counted":
        return _decoded_fault(worker, message)
    if len(totals) != 2:  # its own client requests: the count cannot be trusted
        failure = worker.restart()
        return Fault("crash", f"made Callgrind write {len(totals)} dumps for one count, not 2"
                     + (f"; and it could not be restarted: {failure.detail}" if failure else ""))
    overhead, region = totals
    return Count(max(region - overhead, calls) / calls, calls, region, overhead)


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
    claimed = float(np.median([t.worker_s / t.outside_s for t in candidate if t.outside_s > 0] or [1.0]))
    if gap <= slack or claimed >= 0.5:
        return None
    return {"median_gap_s": gap, "slack_s": slack, "claimed_share": claimed, "batches": len(candidate)}


def calibrate(worker: Worker, case: bytes, timeout_s: float,
              min_batch_s: float = MIN_BATCH_S) -> tuple[int, Timing] | Fault:
    """How many calls make a batch of at least ``min_batch_s``, and the last timing.

    Grows the batch until it is long enough: a first call is often much
    slower than the rest (cold caches), so one step is not enough.
    """
    calls = 1
    for step in range(CALIBRATION_STEPS):
        timing = time_calls(worker, case, calls, timeout_s)
        if isinstance(timing, Fault):
            return timing
        long_enough = timing.per_call_s * calls >= min_batch_s
        if long_enough or calls >= MAX_BATCH_CALLS or step == CALIBRATION_STEPS - 1:
            return calls, timing
        calls = min(MAX_BATCH_CALLS, math.ceil(1.2 * min_batch_s / max(timing.per_call_s, 1e-9)))
    raise AssertionError("unreachable: the last step returns")


def calibrate_count(worker: Worker, case: bytes, timeout_s: float) -> tuple[int, Count] | Fault:
    """How many calls make a counted region of at least MIN_COUNTED instructions (COUNTED_CALLS
    or more), and a count of that many calls: the first count with COUNTED_CALLS, again with
    more calls when their region was shorter."""
    count = count_calls(worker, case, COUNTED_CALLS, timeout_s)
    if isinstance(count, Fault) or count.per_call * COUNTED_CALLS >= MIN_COUNTED:
        return count if isinstance(count, Fault) else (COUNTED_CALLS, count)
    calls = min(MAX_COUNTED_CALLS, math.ceil(MIN_COUNTED / count.per_call))
    count = count_calls(worker, case, calls, timeout_s)
    return count if isinstance(count, Fault) else (calls, count)


def peak_memory(worker: Worker, case: bytes, timeout_s: float) -> MemoryPeak | Fault:
    """Peak memory of one call, in the (fresh) worker."""
    if not worker.send(("memory", case)):
        return _fault(worker, "crash", "")
    reply = worker.read_frame(time.monotonic() + timeout_s * 20 + 10.0)  # tracemalloc is slow
    if reply is None:
        return _fault(worker, "crash", "")
    message = parse_reply(reply)
    if message is None or message[0] != "memory_peak":
        return _decoded_fault(worker, message)
    return MemoryPeak(message[1], message[2], message[3])


def _decoded_fault(worker: Worker, message: tuple[Any, ...] | None) -> Fault:
    """The fault a reply other than the one expected says; a reply no worker sends fails the
    worker (the target's code wrote on signoff's pipe) and replaces it, so no stray frame is read
    as the answer to a later request."""
    if message is not None and message[0] == "raise":
        return Fault("raise", f"raised {message[1].removeprefix('builtins.')}: {message[2]}")
    if message is not None and message[0] == "memory":
        worker.restart()
        return Fault("memory", "ran out of memory (hit the worker's memory limit)")
    failure = worker.restart()
    return Fault("crash", f"worker {PROTOCOL_BROKEN}"
                 + (f"; and it could not be restarted: {failure.detail}" if failure else ""))


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
