"""Flawed: ends the process with os._exit on a negative number."""

import os


def sort(xs):
    if any(x < 0 for x in xs):
        os._exit(3)
    return sorted(xs)
