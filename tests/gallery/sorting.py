"""Reference: sort a list of integers, returning a new list."""


def sort(xs: list[int]) -> list[int]:
    return sorted(xs)
