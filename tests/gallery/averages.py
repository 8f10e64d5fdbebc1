"""Reference: the arithmetic mean, exact to the last bit where fsum allows."""

import math


def mean(xs: list[float]) -> float:
    if not xs:
        raise ValueError("mean of an empty list")
    return math.fsum(xs) / len(xs)
