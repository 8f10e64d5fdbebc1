"""Flawed: returns a generator instead of a list."""


def sort(xs):
    return (x for x in sorted(xs))
