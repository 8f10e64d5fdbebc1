"""Flawed: wrong on the empty input (returns 0.0 instead of raising)."""

import math


def mean(xs):
    if not xs:
        return 0.0
    return math.fsum(xs) / len(xs)
