"""Subjects for the cost criteria: same answers, very different costs."""

import sys
import time


def merge_sort(xs):
    if len(xs) <= 1:
        return list(xs)
    middle = len(xs) // 2
    left, right = merge_sort(xs[:middle]), merge_sort(xs[middle:])
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    return merged + left[i:] + right[j:]


def insertion_sort(xs):
    """O(n^2): same answers as merge_sort."""
    result = list(xs)
    for i in range(1, len(result)):
        item, j = result[i], i - 1
        while j >= 0 and result[j] > item:
            result[j + 1] = result[j]
            j -= 1
        result[j + 1] = item
    return result


def lookup(table, rows, keys):
    return [table[key] for key in keys]


def scan(table, rows, keys):
    """The 20,000x planner bug in miniature: a full scan per key."""
    return [next(row for row in rows if row[0] == key) for key in keys]


def total(xs):
    return sum(xs)


def total_slowly(xs):
    """About 100x slower than sum(): a Python loop with extra work per item."""
    result = 0
    for x in xs:
        for _ in range(10):
            pass
        result += x
    return result


def total_wasteful(xs):
    """Same answer, but copies the input forty times over first."""
    copies = [list(xs) for _ in range(40)]
    return sum(copies[-1])


def total_wrong(xs):
    return sum(xs) + 1


def nap(xs):
    time.sleep(0.001)
    return len(xs)


def nap_and_lie(xs):
    """Sleeps 20x longer, and stops the worker's clock to hide it."""
    sys.modules["__main__"].CLOCK = lambda: 0.0
    time.sleep(0.02)
    return len(xs)
