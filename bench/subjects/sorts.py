"""Subjects for the speed benchmarks: a reference and a copy slowed down by a known factor."""

import time


def sort(xs):
    return sorted(xs)


def sort_slower(xs):
    """sorted() followed by a busy wait of half its own time: a 1.5x slowdown."""
    started = time.perf_counter()
    result = sorted(xs)
    spent = time.perf_counter() - started
    while time.perf_counter() - started < 1.5 * spent:
        pass
    return result
