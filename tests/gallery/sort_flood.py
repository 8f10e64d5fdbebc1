"""Flawed: right answer, but prints megabytes of debug output on every call."""


def sort(xs):
    for _ in range(200_000):
        print("debug: still sorting", xs)
    return sorted(xs)
