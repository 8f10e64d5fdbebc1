"""How often is a growth class named right? signoff.measure.fit.classify_growth vs big-O.

Run:  .venv/bin/python bench/growth_classification.py [--repeats 10] [--budget-s 1.5]
(needs ``pip install big-O`` for the comparison, or ``--no-big-o``)

Fifteen functions of known class, pure-Python loops and C-backed builtins, at
least two per class, are timed at 8-10 sizes (doubling; steps of sqrt(2) or
2^0.4 for n^2 and n^3, so the largest call stays near 20 ms; n in a small
linear range for 2^n) and classified, ``repeats`` times each with fresh inputs.

signoff's protocol, within ``budget-s`` per classification: a fresh input per
size; the garbage collector off while timing; each timing a batch of calls
lasting about as long as one call at the largest size (at least 1 ms, at most
20 ms; thousands of calls for the O(1) and O(log n) functions), less the
thread's waits for a CPU (as signoff's workers charge it); repetitions of
all sizes in a new random order each time (at least 5, as many as the budget
allows); per size, the median over repetitions after removing each
repetition's common speed factor (``fit.size_medians``: the size summary of
``signoff.measure.growth`` when it has rounds, as ``scaling`` does); then
``classify_growth``. The "fastest" column classifies the same timings by the
fastest per size (the summary without rounds: the SQL scaling invariants,
whose tables grow in place), "plain medians" by the plain per-size median.

big-O (``import big_o``, not a signoff dependency) gets the same functions and
size range (spaced linearly, its way), about the same budget and its own
protocol: ``n_repeats`` calls per timing so the smallest size lasts ~1 ms,
``n_timings`` as the budget allows, the fastest kept, least squares. Its
Polynomial class names no class and is left out; a class whose fit is
rank-deficient (n^3 at n = 5e5) is skipped instead of crashing. Any answer other
than the truth counts as wrong for it (it has no "ambiguous").

Inputs are lists of small ints (shared objects, so a list is one compact array
of pointers): with large random ints, sum() and sorted() cost 2-10x more per
element at 5e5 elements than at 1e3 on a small VM (cache misses), and both
tools see that growth.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import heapq
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.measure.fit import GROWTH_CLASSES, classify_growth, size_medians

MIN_TIMING_S = 0.001  # each timing is a batch of calls lasting at least this long
MAX_TIMING_S = 0.020  # ... and, when the largest size takes longer, up to this long
MIN_REPS = 5  # each size is timed at least this many times
SMALL_INTS = 257  # CPython keeps one object for each int below this
# The columns: signoff's size summary with rounds (the polish), the fastest, the plain median, big-O.
TOOLS = ("signoff", "fastest", "median", "big-O")


# ----------------------------------------------------------------- subjects


def dict_get(data: tuple[dict[int, int], int]) -> int:
    table, key = data
    return table[key]


def list_index(data: tuple[list[int], int]) -> int:
    items, i = data
    return items[i]


def bisect_c(data: tuple[list[int], int]) -> int:
    items, key = data
    return bisect.bisect_left(items, key)


def binary_search_py(data: tuple[list[int], int]) -> int:
    items, key = data
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


def sum_c(items: list[int]) -> int:
    return sum(items)


def loop_py(items: list[int]) -> int:
    total = 0
    for x in items:
        if x > 0:
            total += x
    return total


def sorted_c(items: list[int]) -> list[int]:
    return sorted(items)


def merge_sort_py(items: list[int]) -> list[int]:
    if len(items) <= 1:
        return items
    mid = len(items) // 2
    left, right = merge_sort_py(items[:mid]), merge_sort_py(items[mid:])
    out: list[int] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def heapsort_c(items: list[int]) -> list[int]:
    heap = list(items)
    heapq.heapify(heap)
    return [heapq.heappop(heap) for _ in range(len(heap))]


def inversions_py(items: list[int]) -> int:
    count = 0
    n = len(items)
    for i in range(n):
        x = items[i]
        for j in range(i + 1, n):
            if x > items[j]:
                count += 1
    return count


def insert_front_c(items: list[int]) -> list[int]:
    out: list[int] = []
    for x in items:
        out.insert(0, x)
    return out


def matmul_py(data: tuple[list[list[float]], list[list[float]]]) -> list[list[float]]:
    a, b = data
    n = len(a)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        row, ai = out[i], a[i]
        for j in range(n):
            s = 0.0
            for k in range(n):
                s += ai[k] * b[k][j]
            row[j] = s
    return out


def three_sum_py(items: list[int]) -> int:
    n = len(items)
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            s = items[i] + items[j]
            for k in range(j + 1, n):
                if s + items[k] == 384:
                    count += 1
    return count


def fib_py(n: int) -> int:
    return n if n < 2 else fib_py(n - 1) + fib_py(n - 2)


def subsets_c(items: list[int]) -> int:
    # every subset as a 0/1 mask, enumerated by itertools (C): 2^n tuples
    return sum(1 for _ in itertools.product((0, 1), repeat=len(items)))


# ----------------------------------------------------------------- inputs


def _ints(n: int, rng: random.Random) -> list[int]:
    return list(rng.randbytes(n))  # ints 0..255


def _keyed_dict(n: int, rng: random.Random) -> tuple[dict[int, int], int]:
    # Keys above CPython's cached small ints (-5..256): a key drawn below 257 is
    # the very object stored in the dict, and its lookup takes the identity
    # shortcut, 20% faster; at 1,000 keys that is one classification in 12
    # with a size that is faster than the rest for all its repetitions.
    return dict.fromkeys(range(SMALL_INTS, SMALL_INTS + 3 * n, 3), 1), SMALL_INTS + 3 * rng.randrange(n)


def _indexed_list(n: int, rng: random.Random) -> tuple[list[int], int]:
    return _ints(n, rng), rng.randrange(n)


def _sorted_with_key(n: int, rng: random.Random) -> tuple[list[int], int]:
    return list(range(0, 2 * n, 2)), 2 * rng.randrange(n) + 1


def _matrices(n: int, rng: random.Random) -> tuple[list[list[float]], list[list[float]]]:
    def make() -> list[list[float]]:
        return [[rng.random() for _ in range(n)] for _ in range(n)]

    return make(), make()


def doubling(start: int, count: int) -> tuple[int, ...]:
    return tuple(start * 2**i for i in range(count))


def root2(start: int, count: int) -> tuple[int, ...]:
    return steps(start, math.sqrt(2), count)


def steps(start: int, factor: float, count: int) -> tuple[int, ...]:
    return tuple(round(start * factor**i) for i in range(count))


@dataclass(frozen=True)
class Case:
    name: str
    truth: str
    func: Callable[[Any], Any]
    make: Callable[[int, random.Random], Any]
    sizes: tuple[int, ...]


CASES: tuple[Case, ...] = (
    Case("dict lookup (C)", "O(1)", dict_get, _keyed_dict, doubling(1000, 10)),
    Case("list index (C)", "O(1)", list_index, _indexed_list, doubling(1000, 10)),
    Case("bisect (C)", "O(log n)", bisect_c, _sorted_with_key, doubling(1000, 10)),
    Case("binary search (py)", "O(log n)", binary_search_py, _sorted_with_key, doubling(1000, 10)),
    Case("sum (C)", "O(n)", sum_c, _ints, doubling(1000, 10)),
    Case("loop (py)", "O(n)", loop_py, _ints, doubling(1000, 9)),
    Case("sorted (C)", "O(n log n)", sorted_c, _ints, doubling(500, 9)),
    Case("heapsort (C heapq)", "O(n log n)", heapsort_c, _ints, doubling(125, 9)),
    Case("merge sort (py)", "O(n log n)", merge_sort_py, _ints, doubling(32, 9)),
    Case("nested loop (py)", "O(n^2)", inversions_py, _ints, root2(48, 9)),
    Case("insert(0) loop (C)", "O(n^2)", insert_front_c, _ints, root2(724, 8)),
    Case("matrix multiply (py)", "O(n^3)", matmul_py, _matrices, steps(8, 2**0.4, 8)),
    Case("3-sum triple loop (py)", "O(n^3)", three_sum_py, _ints, steps(20, 2**0.4, 8)),
    Case("naive fib (py)", "O(2^n)", fib_py, lambda n, rng: n, tuple(range(10, 26, 2))),
    Case("subset masks (C)", "O(2^n)", subsets_c, _ints, tuple(range(3, 19, 2))),
)


# ----------------------------------------------------------------- timing


def _open_schedstat() -> int:
    try:
        return os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    except OSError:
        return -1


# Opened once and read with pread, as signoff's workers do: opening the file
# for every reading costs 30-40 us on a loaded machine, inside each timing.
SCHEDSTAT_FD = _open_schedstat()


def _queued_s() -> float:
    """This thread's waits for a CPU so far (Linux schedstat), as the workers leave them out."""
    if SCHEDSTAT_FD < 0:
        return 0.0
    return int(os.pread(SCHEDSTAT_FD, 128, 0).split()[1]) / 1e9


def _time_batch(func: Callable[[Any], Any], data: Any, number: int) -> float:
    start = time.perf_counter()
    queued = _queued_s()
    for _ in range(number):
        func(data)
    queued = _queued_s() - queued
    return (time.perf_counter() - start - queued) / number


def _per_call(func: Callable[[Any], Any], data: Any) -> float:
    """Seconds per call: the fastest of three batches of >= ~1 ms (one warm-up call first)."""
    first = _time_batch(func, data, 1)
    number = max(1, math.ceil(MIN_TIMING_S / max(first, 1e-9)))
    return min(_time_batch(func, data, number) for _ in range(3 if first < MIN_TIMING_S else 1))


def signoff_timings(case: Case, budget_s: float, rng: random.Random) -> list[list[float]]:
    """Seconds per call at each size (every repetition), by signoff's protocol.

    Every timing of a classification lasts about as long: a batch of calls of
    at least the largest size's call time (1-20 ms). A timing that outlasts a
    scheduler time slice is slowed by other load on the machine; when all of
    them last alike, that slowdown is one factor for every size and does not
    bend the curve (with 1 ms batches beside 30 ms calls, it does).
    """
    inputs = [case.make(n, rng) for n in case.sizes]
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        per_call = [_per_call(case.func, data) for data in inputs]
        target = min(MAX_TIMING_S, max(MIN_TIMING_S, max(per_call)))
        numbers = [max(1, round(target / p)) for p in per_call]
        one_pass = sum(number * p for number, p in zip(numbers, per_call, strict=True))
        left = budget_s - (time.perf_counter() - started)
        reps = max(MIN_REPS, min(31, int(left / one_pass)))
        samples: list[list[float]] = [[] for _ in case.sizes]
        order = list(range(len(case.sizes)))
        for _ in range(reps):
            rng.shuffle(order)
            for i in order:
                samples[i].append(_time_batch(case.func, inputs[i], numbers[i]))
    finally:
        gc.enable()
    return samples


BIG_O_NAMES = {
    "Constant": "O(1)",
    "Logarithmic": "O(log n)",
    "Linear": "O(n)",
    "Linearithmic": "O(n log n)",
    "Quadratic": "O(n^2)",
    "Cubic": "O(n^3)",
    "Exponential": "O(2^n)",
}


def big_o_label(case: Case, budget_s: float, rng: random.Random) -> str:
    """big-O's answer with about the same budget: its timing and its class choice."""
    import big_o  # type: ignore[import-untyped]
    import numpy as np

    lo, hi, count = case.sizes[0], case.sizes[-1], len(case.sizes)
    ns = np.linspace(lo, hi, count).astype("int64")
    # Calls per timing so the smallest size lasts >= ~1 ms, then as many timings
    # (big-O keeps the fastest) as the budget allows.
    per_call = [_time_batch(case.func, case.make(int(n), rng), 1) for n in ns]
    number = max(1, math.ceil(MIN_TIMING_S / max(per_call[0], 1e-9)))
    number = max(1, min(number, int(budget_s / (MIN_REPS * sum(per_call)))))
    timings = max(1, min(31, int(budget_s / (number * sum(per_call)))))
    ns, seconds = big_o.measure_execution_time(
        case.func, lambda n: case.make(int(n), rng), lo, hi, count, number, timings
    )
    # big_o.infer_big_o_class, except that a class whose least-squares fit is
    # rank-deficient (n^3 at n = 5e5 in floating point) is skipped, not a crash.
    best, best_residual = "none", math.inf
    for name in BIG_O_NAMES:
        try:
            residual = getattr(big_o.complexities, name)().fit(ns, seconds)
        except (IndexError, ValueError, np.linalg.LinAlgError):
            continue
        if residual < best_residual - 1e-6:  # big-O's simplicity bias
            best, best_residual = name, residual
    return BIG_O_NAMES.get(best, best)


# ----------------------------------------------------------------- report


def _grade(label: str, truth: str) -> str:
    return "ok" if label == truth else label if label == "ambiguous" else "wrong"


def _rates(graded: list[str]) -> tuple[str, ...]:
    if not graded:
        return "-", "-", "-"
    return tuple(f"{100.0 * graded.count(x) / len(graded):.0f}" for x in ("ok", "wrong", "ambiguous"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="classifications per function")
    parser.add_argument("--budget-s", type=float, default=1.5,
                        help="seconds per classification, for each tool")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="run only functions whose name has this")
    parser.add_argument("--no-big-o", action="store_true", help="skip the big-O comparison")
    parser.add_argument("--save", default="", help="write the raw timings here (JSON)")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    cases = [c for c in CASES if args.only.lower() in c.name.lower()]
    started = time.perf_counter()
    raw: list[dict[str, Any]] = []
    results: list[tuple[Case, dict[str, list[str]]]] = []
    spent = {"signoff": 0.0, "big-O": 0.0}
    for case in cases:
        labels: dict[str, list[str]] = {tool: [] for tool in TOOLS}
        for _ in range(args.repeats):
            clock = time.perf_counter()
            samples = signoff_timings(case, args.budget_s, rng)  # [size][repetition]
            table = list(zip(*samples, strict=True))  # [repetition][size]
            labels["signoff"].append(classify_growth(case.sizes, size_medians(table)).label)
            labels["fastest"].append(classify_growth(case.sizes, [min(s) for s in samples]).label)
            plain = [statistics.median(s) for s in samples]
            labels["median"].append(classify_growth(case.sizes, plain).label)
            raw.append({"case": case.name, "truth": case.truth, "sizes": case.sizes,
                        "samples": samples})
            spent["signoff"] += time.perf_counter() - clock
            clock = time.perf_counter()
            if not args.no_big_o:
                labels["big-O"].append(big_o_label(case, args.budget_s, rng))
            spent["big-O"] += time.perf_counter() - clock
        results.append((case, labels))
        print(f"  {case.name:<24} {case.truth:<11} "
              + " | ".join(f"{k}: {' '.join(sorted(set(v)))}" for k, v in labels.items() if v),
              file=sys.stderr, flush=True)
    wall = time.perf_counter() - started

    def row(name: str, truth: str, sizes: str, labels: dict[str, list[str]]) -> str:
        # labels are already "ok", "wrong" or "ambiguous"
        cells = [" ".join(f"{x:>5}" for x in _rates(labels[k])) for k in TOOLS[:-1]]
        theirs = " ".join(f"{x:>5}" for x in _rates(labels["big-O"])[:2])
        return f"{name:<24} {truth:<11} {sizes:<12} | {' | '.join(cells)} | {theirs}"

    def graded(picked: list[tuple[Case, dict[str, list[str]]]]) -> dict[str, list[str]]:
        return {
            tool: [_grade(label, case.truth) for case, labels in picked for label in labels[tool]]
            for tool in TOOLS
        }

    head = f"{'ok%':>5} {'wrong':>5} {'amb%':>5}"
    print(f"{'':<50} | {'signoff':^17} | {'fastest':^17} | {'plain medians':^17} | {'big-O':^11}")
    print(f"{'function':<24} {'class':<11} {'sizes':<12} | {head} | {head} | {head} | "
          f"{'ok%':>5} {'wrong':>5}")
    print("-" * 124)
    for case, labels in results:
        sizes = f"{case.sizes[0]}..{case.sizes[-1]}"
        print(row(case.name, case.truth, sizes, graded([(case, labels)])))
    print("-" * 124)
    for truth in GROWTH_CLASSES:
        picked = [(c, ls) for c, ls in results if c.truth == truth]
        if picked:
            print(row("per class", truth, "", graded(picked)))
    print(row("all functions", "", "", graded(results)))
    count = sum(len(ls["signoff"]) for _, ls in results)
    print(f"\n{len(cases)} functions x {args.repeats} classifications = {count} per tool; "
          f"budget {args.budget_s:g} s per classification per tool; wall time {wall:.0f} s "
          f"(signoff {spent['signoff']:.0f} s, big-O {spent['big-O']:.0f} s, inputs included)")
    if args.save:
        with open(args.save, "w") as out:
            json.dump(raw, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
