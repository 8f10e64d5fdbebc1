"""Flawed: sorts in place, so the caller's list changes."""


def sort(xs):
    xs.sort()
    return xs
