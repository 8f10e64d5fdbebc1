"""A timed batch leaves out the worker's waits for a CPU, and keeps its own waits.

Seven busy processes pinned to the worker's CPU leave it a fraction of that
CPU (a third to an eighth, as the scheduler pleases): most of its wall time
is waiting. The margins asserted are wide.
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from signoff.runner.measure import calibrate, time_calls
from signoff.runner.process import Worker
from signoff.targets import parse_target

COSTS = Path(__file__).parent / "gallery" / "costs.py"
HOGS = 7
SCHEDSTAT = Path("/proc/thread-self/schedstat")

pytestmark = pytest.mark.skipif(not SCHEDSTAT.is_file() or not hasattr(os, "sched_setaffinity"),
                                reason="the kernel keeps no per-thread CPU waits here (Linux only)")


def started(name: str) -> Worker:
    worker = Worker(parse_target(f"{COSTS}:{name}", what="--candidate"))
    assert worker.start() is None
    return worker


def case(*args: object) -> bytes:
    return pickle.dumps((args, {}))


def test_other_processes_on_the_workers_cpu_are_not_its_cost():
    worker = started("total")
    cpu = min(os.sched_getaffinity(0))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(HOGS)]
    try:
        for pid in (worker.process.pid, *(hog.pid for hog in hogs)):
            os.sched_setaffinity(pid, {cpu})
        data = case(list(range(200_000)))
        found = calibrate(worker, data, 5.0)
        assert not hasattr(found, "status"), found
        calls, _ = found
        timings = [time_calls(worker, data, calls, 5.0) for _ in range(6)]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
        worker.close()
    assert all(not hasattr(t, "status") for t in timings), timings
    own = statistics.median(t.worker_s / t.parent_s for t in timings)
    waited = statistics.median(t.queued_s / t.parent_s for t in timings)
    charged = statistics.median(t.per_call_s * t.calls / t.worker_s for t in timings)
    assert waited > 0.25, f"with {HOGS} others on its CPU, the waits were only {waited:.0%} of the time"
    # Had the waits been counted, the claim would be the whole wall time (1.0).
    assert own < 1 - waited / 2, f"the worker claimed {own:.0%} of the wall time, {waited:.0%} of it waits"
    assert charged < 1.2, f"an honest worker was charged {charged:.2f}x its claim"


def test_the_targets_own_sleep_is_its_cost():
    worker = started("nap")  # sleeps 1 ms a call: no CPU, but the caller waits
    try:
        timing = time_calls(worker, case([1, 2, 3]), 20, 5.0)
    finally:
        worker.close()
    assert not hasattr(timing, "status"), timing
    assert timing.worker_s >= 0.02 and timing.per_call_s >= 0.001
