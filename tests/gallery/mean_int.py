"""Flawed: returns an int when the mean is whole (1 and 1.0 are not the same answer)."""

import math


def mean(xs):
    if not xs:
        raise ValueError("mean of an empty list")
    m = math.fsum(xs) / len(xs)
    return int(m) if m.is_integer() else m
