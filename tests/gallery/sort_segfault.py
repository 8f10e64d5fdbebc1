"""Flawed: crashes the interpreter on lists longer than three."""

import ctypes


def sort(xs):
    if len(xs) > 3:
        ctypes.string_at(0)
    return sorted(xs)
