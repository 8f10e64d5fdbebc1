"""Subjects for counted instructions (tests/test_instructions.py): same answers, known costs."""


def total(xs):
    """O(n), a pure-Python loop."""
    s = 0
    for x in xs:
        s += x
    return s


def total_thrice(xs):
    """The same answer for three times total's work."""
    s = 0
    for _ in range(3):
        s = 0
        for x in xs:
            s += x
    return s


def total_quadratic(xs):
    """The same answer in O(n^2): each element counted over the whole list."""
    s = 0
    for x in xs:
        s += x
        xs.count(x)
    return s


def allocate(size):
    """A buffer of ``size`` bytes (its length): as hungry as asked."""
    return len(bytearray(size))



_kept: list[bytearray] = []


def doubled(table, keys, holes=()):
    """A list grown one item at a time (realloc after realloc), from dict lookups. With ``holes``
    (sizes in bytes), first leaves the heap with holes for later calls to meet: blocks of those
    sizes, every other one kept for the rest of the process."""
    _kept.extend([bytearray(size) for size in holes][::2])
    return [table[key] for key in keys]
