"""Growth against the reference on real pairs: A/A, same-growth rewrites, regressions.

    .venv/bin/python bench/growth_pairs.py [--runs 10] [--budget 20] [--only A/A]

Each run is a full signoff.check with scaling(no_worse_than="reference") over
sizes 256..32,768 (8 sizes), its own seed. Targets (issue 13): A/A and
same-growth rewrites fail <= 1% and inconclusive <= 5%; regressions caught
>= 95%. Run it with two CPU hogs beside it; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

import signoff

SUBJECTS = Path(__file__).resolve().parent / "subjects" / "growth_pairs.py"
SIZES = [256 * 2**k for k in range(8)]


def make_items(n, rng):
    return [rng.randrange(n) for _ in range(n)]


def make_lookups(n, rng):
    ordered = sorted(rng.randrange(4 * n) for _ in range(n))
    return signoff.call([rng.randrange(4 * n) for _ in range(50)], ordered)


PAIRS = [  # (name, reference, candidate, make, expected)
    ("A/A dedupe", "dedupe_loop", "dedupe_loop", make_items, "pass"),
    ("A/A bisect", "position_bisect", "position_bisect", make_lookups, "pass"),
    ("dict vs set dedupe", "dedupe_loop", "dedupe_dict", make_items, "pass"),
    ("heapq vs sorted", "smallest_sorted", "smallest_heap", make_items, "pass"),
    ("sum() vs loop", "total_loop", "total_builtin", make_items, "pass"),
    ("O(n) -> O(n^2)", "dedupe_loop", "dedupe_quadratic", make_items, "fail"),
    ("O(log n) -> O(n)", "position_bisect", "position_scan", make_lookups, "fail"),
    ("O(1) -> O(n)", "length", "length_counted", make_items, "fail"),
]


def runs(reference: str, candidate: str, make, count: int, budget: float) -> tuple[Counter[str], float]:
    spec = signoff.Spec(reference=f"{SUBJECTS}:{reference}", workload=signoff.workload(make, sizes=SIZES),
                        criteria=[signoff.scaling(budget=budget)])
    verdicts: Counter[str] = Counter()
    started = time.perf_counter()
    for seed in range(count):
        result = signoff.check(spec, [f"{SUBJECTS}:{candidate}"], signoff.RunOptions(seed=seed))
        [check] = result.candidates[0].checks
        verdicts[check.verdict] += 1
    return verdicts, (time.perf_counter() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--only", default="", help="only the pairs whose name has this (e.g. A/A)")
    arguments = parser.parse_args()
    console = Console()
    table = Table(title=f"scaling(no_worse_than='reference'), {arguments.runs} runs each, sizes 256..32768")
    for column in ("pair", "expected", "pass", "inconclusive", "fail", "s/run", "load"):
        table.add_column(column)
    console.print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for name, reference, candidate, make, expected in PAIRS:
        if arguments.only not in name:
            continue
        verdicts, seconds = runs(reference, candidate, make, arguments.runs, arguments.budget)
        table.add_row(name, expected, str(verdicts["pass"]), str(verdicts["inconclusive"]),
                      str(verdicts["fail"]), f"{seconds:.1f}", f"{os.getloadavg()[0]:.1f}")
        console.print(f"{name}: {dict(verdicts)}")
    console.print(table)


if __name__ == "__main__":
    main()
