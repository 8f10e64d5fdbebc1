"""Flawed: raises while being imported."""

raise RuntimeError("candidate module is broken at import")


def sort(xs):
    return sorted(xs)
