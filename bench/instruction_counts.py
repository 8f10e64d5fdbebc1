"""Cost as instructions counted under Valgrind's Callgrind: how repeatable, how decisive, how right.

    .venv/bin/python bench/instruction_counts.py [--aa-runs 4] [--power-runs 3] [--repeats 1]

1. A/A spread: sorted(), a pure-Python loop and dict lookups, each counted
   three times in each of two counting workers at three sizes (signoff's own
   counting: ``runner.measure.calibrate_count``, then ``count_calls``); the
   largest relative spread (max - min) / min of instructions per call, within
   one worker and over both. Target < 1%.
2. speed(measure="instructions"): sorted() against itself and against a copy
   in a module with another import history (at_most=1.1, --aa-runs runs
   each, target: fail 0%), and against a candidate doing about 1.45x the work
   (at_most=1.2, --power-runs runs, target: fail 100%). Each run is a full
   signoff.check with its own seed: worker start-up under Valgrind included.
3. Growth classes from counts: the fifteen functions of known class of
   bench/growth_classification.py, counted at 8-10 sizes each (smaller sizes
   than it times: a count has no clock resolution to stay above) and
   classified by signoff.measure.fit.classify_growth, --repeats times with
   fresh inputs: right, wrong, ambiguous.
The load average is printed at the start and the end: counts do not care.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

import signoff
from signoff.measure.fit import AMBIGUOUS, classify_growth
from signoff.runner.measure import Count, Fault, calibrate_count, count_calls
from signoff.runner.process import Limits, Worker, counting_worker
from signoff.targets import parse_target

BENCH = Path(__file__).resolve().parent
SUBJECTS = BENCH / "subjects"
sys.path.insert(0, str(BENCH))
import growth_classification as classes  # noqa: E402  (the bench's own folder, just added)

SPREAD_SIZES = (1_000, 4_000, 16_000)
SPREAD_COUNTS = 3  # per worker and size
SPEED_SIZE = 2_000


def make_floats(n: int, rng: random.Random) -> list[float]:
    return [rng.random() for _ in range(n)]


def make_lookups(n: int, rng: random.Random) -> signoff.Call:
    return signoff.call({key: key * 2 for key in range(n)}, [rng.randrange(n) for _ in range(n)])


SPREAD = [  # (label, target, make)
    ("sorted() (C)", "sort", make_floats),
    ("loop (py)", "loop", lambda n, rng: [rng.randrange(-100, 100) for _ in range(n)]),
    ("dict lookups", "lookups", make_lookups),
]


def start(target: str) -> Worker:
    worker = counting_worker(parse_target(target), Limits(), {})
    failure = worker.start()
    if failure is not None:
        raise SystemExit(f"{target} did not load under Valgrind: {failure.detail}")
    return worker


def spread(values: list[float]) -> float:
    return (max(values) - min(values)) / min(values)


def spread_rows(console: Console) -> None:
    table = Table(title="A/A: instructions per call, counted 3 times in each of 2 workers")
    for column in ("function", "size", "calls", "instructions/call", "spread in a worker",
                   "spread over both", "s/count"):
        table.add_column(column, justify="left" if column == "function" else "right")
    worst = 0.0
    for label, name, make in SPREAD:
        workers = [start(f"{SUBJECTS / 'counted.py'}:{name}") for _ in range(2)]
        try:
            for size in SPREAD_SIZES:
                made = make(size, random.Random(size))
                case = made.case("input") if isinstance(made, signoff.Call) else pickle.dumps(((made,), {}))
                per_worker: list[list[float]] = []
                started = time.perf_counter()
                calls = 0
                for worker in workers:
                    calibrated = calibrate_count(worker, case, 500.0)
                    if isinstance(calibrated, Fault):
                        raise SystemExit(f"{label} at {size}: {calibrated.description}")
                    calls = calibrated[0]
                    counts = [count_calls(worker, case, calls, 500.0) for _ in range(SPREAD_COUNTS)]
                    per_worker.append([c.per_call for c in counts if isinstance(c, Count)])
                seconds = (time.perf_counter() - started) / (2 * (SPREAD_COUNTS + 1))
                within = max(spread(values) for values in per_worker)
                both = spread([v for values in per_worker for v in values])
                worst = max(worst, both)
                table.add_row(label, f"{size:,}", str(calls), f"{statistics.median(per_worker[0]):,.0f}",
                              f"{within:.3%}", f"{both:.3%}", f"{seconds:.2f}")
        finally:
            for worker in workers:
                worker.close()
    console.print(table)
    console.print(f"largest spread: {worst:.3%} (target < 1%)")


def speed_runs(reference: str, candidate: str, at_most: float, runs: int) -> tuple[Counter[str], list[float],
                                                                                  list[float]]:
    spec = signoff.Spec(reference=reference, workload=signoff.workload(make_floats, sizes=(SPEED_SIZE,)),
                        criteria=[signoff.speed(at_most=at_most, measure="instructions", budget=120)])
    verdicts: Counter[str] = Counter()
    seconds, ratios = [], []
    for seed in range(runs):
        started = time.perf_counter()
        result = signoff.check(spec, [candidate], signoff.RunOptions(seed=seed))
        seconds.append(time.perf_counter() - started)
        [check] = result.candidates[0].checks
        verdicts[check.verdict] += 1
        if check.evidence.get("ratio") is not None:
            ratios.append(check.evidence["ratio"])
    return verdicts, seconds, ratios


def speed_rows(console: Console, aa_runs: int, power_runs: int) -> None:
    table = Table(title=f"speed(measure='instructions') at size {SPEED_SIZE:,}: verdicts over runs")
    for column in ("case", "runs", "pass", "fail", "inconclusive", "median ratio", "ratio range",
                   "median s", "target"):
        table.add_column(column, justify="left" if column == "case" else "right")
    sort = f"{SUBJECTS / 'counted.py'}:sort"
    for label, candidate, at_most, runs, target in (
        ("A/A sorted(), same target, at_most=1.1", sort, 1.1, aa_runs, "fail 0%"),
        ("A/A sorted(), copy in another module, at_most=1.1", f"{SUBJECTS / 'counted_copy.py'}:sort", 1.1,
         aa_runs, "fail 0%"),
        ("1.45x the work, at_most=1.2", f"{SUBJECTS / 'counted.py'}:sort_and_a_half", 1.2, power_runs,
         "fail 100%"),
    ):
        verdicts, seconds, ratios = speed_runs(sort, candidate, at_most, runs)
        table.add_row(label, str(runs), str(verdicts["pass"]), str(verdicts["fail"]),
                      str(verdicts["inconclusive"]), f"{statistics.median(ratios):.4f}" if ratios else "-",
                      f"{min(ratios):.4f}-{max(ratios):.4f}" if ratios else "-",
                      f"{statistics.median(seconds):.1f}", target)
    console.print(table)


# Smaller sizes than bench/growth_classification.py times (a count needs no long batch), so that
# the largest call counts a few million instructions (a fraction of a second under Valgrind);
# the 2^n subjects keep theirs.
SIZES = {
    "dict_get": classes.doubling(100, 10), "list_index": classes.doubling(100, 10),
    "bisect_c": classes.doubling(100, 10), "binary_search_py": classes.doubling(100, 10),
    "sum_c": classes.doubling(100, 10), "loop_py": classes.doubling(100, 9),
    "sorted_c": classes.doubling(100, 9), "heapsort_c": classes.doubling(50, 9),
    "merge_sort_py": classes.doubling(16, 9), "inversions_py": classes.root2(16, 9),
    "insert_front_c": classes.root2(256, 8), "matmul_py": classes.steps(4, 2**0.4, 8),
    "three_sum_py": classes.steps(10, 2**0.4, 8),
}


def classification_rows(console: Console, repeats: int) -> None:
    table = Table(title=f"growth classes from counted instructions ({repeats} classifications each)")
    for column in ("function", "truth", "sizes", "labels", "right", "wrong", "ambiguous", "s each"):
        table.add_column(column, justify="left" if column in ("function", "labels") else "right")
    worker = start(f"{SUBJECTS / 'classified.py'}:classified")
    tally: Counter[str] = Counter()
    try:
        for case in classes.CASES:
            name = case.func.__name__
            sizes = SIZES.get(name, case.sizes)
            labels: Counter[str] = Counter()
            started = time.perf_counter()
            for repeat in range(repeats):
                rng = random.Random(repeat)
                counts = []
                for size in sizes:
                    counted = calibrate_count(worker, pickle.dumps(((name, case.make(size, rng)), {})), 500.0)
                    if isinstance(counted, Fault):
                        raise SystemExit(f"{case.name} at {size}: {counted.description}")
                    counts.append(counted[1].per_call)
                labels[classify_growth(sizes, counts).label] += 1
            right, ambiguous = labels[case.truth], labels[AMBIGUOUS]
            wrong = repeats - right - ambiguous
            tally.update(right=right, wrong=wrong, ambiguous=ambiguous)
            shown = ", ".join(f"{label} x{n}" for label, n in labels.most_common())
            table.add_row(case.name, case.truth, f"{sizes[0]:,}..{sizes[-1]:,}", shown, str(right),
                          str(wrong), str(ambiguous), f"{(time.perf_counter() - started) / repeats:.1f}")
    finally:
        worker.close()
    console.print(table)
    total = sum(tally.values())
    console.print(f"right {tally['right'] / total:.0%}, wrong {tally['wrong'] / total:.0%}, "
                  f"ambiguous {tally['ambiguous'] / total:.0%} of {total} classifications")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aa-runs", type=int, default=4)
    parser.add_argument("--power-runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1)
    options = parser.parse_args()
    console = Console(width=150)  # whole rows in a log file too
    began = time.perf_counter()
    console.print(f"load average at start: {os.getloadavg()[0]:.2f}")
    spread_rows(console)
    speed_rows(console, options.aa_runs, options.power_runs)
    classification_rows(console, options.repeats)
    console.print(f"load average at end: {os.getloadavg()[0]:.2f}; "
                  f"{math.ceil(time.perf_counter() - began)} s in all")


if __name__ == "__main__":
    main()
