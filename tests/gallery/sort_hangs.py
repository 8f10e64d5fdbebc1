"""Flawed: never returns when the list holds a duplicate."""


def sort(xs):
    if len(set(xs)) < len(xs):
        while True:
            pass
    return sorted(xs)
