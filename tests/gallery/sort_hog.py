"""Flawed: allocates without bound (doubling) on lists longer than two."""


def sort(xs):
    if len(xs) > 2:
        hoard, size = [], 1 << 20
        while True:
            hoard.append(bytearray(size))
            size *= 2
    return sorted(xs)
