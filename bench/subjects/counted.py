"""Subjects for bench/instruction_counts.py: a builtin, a pure-Python loop, dict lookups, and a
candidate doing 1.5x the work of the first."""


def sort(xs):
    return sorted(xs)


def sort_and_a_half(xs):
    """sorted() and then a sort of half the list again: about 1.45x the instructions."""
    result = sorted(xs)
    sorted(xs[: len(xs) // 2])
    return result


def loop(xs):
    total = 0
    for x in xs:
        if x > 0:
            total += x
    return total


def lookups(table, keys):
    return [table[key] for key in keys]
