"""Correct alternative: statistics.fmean, within the tolerance."""

import statistics


def mean(xs):
    if not xs:
        raise ValueError("mean of an empty list")
    return statistics.fmean(xs)
