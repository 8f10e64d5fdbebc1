"""How often the speed criterion is wrong, how fast it is right, and the 20,000x case.

    .venv/bin/python bench/speed_verdicts.py [--repeats 100] [--power-repeats 40]

1. A/A: sorted() against itself, speed(at_most=1.1), --repeats runs, each
   with its own seed: the fail rate (target <= 1%).
2. Power: sorted() against a copy with an injected 1.5x slowdown,
   speed(at_most=1.2): the fail rate (target >= 95%) and the median time to
   a verdict.
3. Time to verdict for a linear scan against a dict lookup (100 lookups by key
   on a 100,000-row table, about 20,000x slower), with speed and scaling
   (target: <= 5 s).
Each run is a full signoff.check: worker start-up, calibration, sampling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

import signoff

SUBJECTS = Path(__file__).resolve().parent / "subjects"


def make_list(n, rng):
    return [rng.random() for _ in range(n)]


def make_table(n, rng):
    rows = [(key, f"name{key}", key * 0.5) for key in range(n)]
    return signoff.call({row[0]: row for row in rows}, rows, [rng.randrange(n) for _ in range(100)])


def speed_runs(candidate: str, at_most: float, repeats: int) -> tuple[Counter[str], list[float], list[int]]:
    spec = signoff.Spec(reference=f"{SUBJECTS / 'sorts.py'}:sort",
                        workload=signoff.workload(make_list, sizes=(2000,)),
                        criteria=[signoff.speed(at_most=at_most, budget=30)])
    verdicts: Counter[str] = Counter()
    seconds, pairs = [], []
    for seed in range(repeats):
        started = time.perf_counter()
        result = signoff.check(spec, [f"{SUBJECTS / 'sorts.py'}:{candidate}"], signoff.RunOptions(seed=seed))
        seconds.append(time.perf_counter() - started)
        [check] = result.candidates[0].checks
        verdicts[check.verdict] += 1
        pairs.append(check.evidence.get("pairs", 0))
    return verdicts, seconds, pairs


def explosion_run() -> tuple[float, dict[str, signoff.CheckResult]]:
    spec = signoff.Spec(reference=f"{SUBJECTS / 'lookups.py'}:by_key",
                        workload=signoff.workload(make_table, sizes=signoff.doubling(1_000, 128_000)),
                        criteria=[signoff.speed(size=128_000), signoff.scaling()])
    started = time.perf_counter()
    result = signoff.check(spec, [f"{SUBJECTS / 'lookups.py'}:by_scan"], signoff.RunOptions(seed=1))
    return time.perf_counter() - started, {c.criterion: c for c in result.candidates[0].checks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--power-repeats", type=int, default=40)
    options = parser.parse_args()
    console = Console()
    console.print(f"load average at start: {os.getloadavg()[0]:.2f}")

    table = Table(title="speed criterion: verdicts over repeated runs")
    for column in ("case", "runs", "pass", "fail", "inconclusive", "fail rate", "median s",
                   "median pairs", "target"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for label, candidate, at_most, repeats, target in (
        ("A/A, at_most=1.1", "sort", 1.1, options.repeats, "fail <= 1%"),
        ("1.5x slower, at_most=1.2", "sort_slower", 1.2, options.power_repeats, "fail >= 95%"),
    ):
        verdicts, seconds, pairs = speed_runs(candidate, at_most, repeats)
        table.add_row(label, str(repeats), str(verdicts["pass"]), str(verdicts["fail"]),
                      str(verdicts["inconclusive"]), f"{verdicts['fail'] / repeats:.1%}",
                      f"{statistics.median(seconds):.2f}", f"{statistics.median(pairs):.0f}", target)
    console.print(table)

    elapsed, checks = explosion_run()
    summary = Table(title="time to verdict: 100 lookups, linear scan vs dict (128,000 rows)")
    for column in ("criterion", "verdict", "s", "summary"):
        summary.add_column(column)
    for check in checks.values():
        summary.add_row(check.criterion, check.verdict, f"{check.evidence.get('duration_s', 0):.1f}",
                        check.summary)
    console.print(summary)
    console.print(f"wall time to both verdicts: {elapsed:.1f} s (target <= 5 s)")
    console.print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
