"""Subjects for bench/growth_pairs.py: references, same-growth rewrites and growth regressions."""

from __future__ import annotations

import bisect
import heapq


def dedupe_loop(xs):
    """Reference: order-preserving dedupe with a set and a loop, O(n)."""
    seen, out = set(), []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def dedupe_dict(xs):
    """Same growth: dict.fromkeys keeps the first of each, O(n)."""
    return list(dict.fromkeys(xs))


def dedupe_quadratic(xs):
    """Regression O(n) -> O(n^2): a list as the seen-set."""
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def smallest_sorted(xs):
    """Reference: the 10 smallest by sorting, O(n log n)."""
    return sorted(xs)[:10]


def smallest_heap(xs):
    """Same growth or better: heapq.nsmallest."""
    return heapq.nsmallest(10, xs)


def total_loop(xs):
    """Reference: a Python loop, O(n)."""
    total = 0
    for x in xs:
        total += x
    return total


def total_builtin(xs):
    """Same growth: the C builtin."""
    return sum(xs)


def position_bisect(keys, ordered):
    """Reference: 50 lookups in the sorted list by bisection, O(log n) each."""
    return [bisect.bisect_left(ordered, key) for key in keys]


def position_scan(keys, ordered):
    """Regression O(log n) -> O(n): each lookup scans the list."""
    out = []
    for key in keys:
        i = 0
        while i < len(ordered) and ordered[i] < key:
            i += 1
        out.append(i)
    return out


def length(xs):
    """Reference: O(1)."""
    return len(xs)


def length_counted(xs):
    """Regression O(1) -> O(n): counts the items."""
    return sum(1 for _ in xs)
