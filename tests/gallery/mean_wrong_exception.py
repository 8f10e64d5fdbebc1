"""Flawed: the right answers, but ZeroDivisionError instead of ValueError on []."""

import math


def mean(xs):
    return math.fsum(xs) / len(xs)
