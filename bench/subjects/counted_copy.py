"""bench/subjects/counted.py's sort, copied into a module that imports more first: the same code
run after a different history of the interpreter's heap (an A/A pair less trivial than one
function against itself)."""

import decimal  # noqa: F401
import email.message  # noqa: F401
import json  # noqa: F401


def sort(xs):
    return sorted(xs)
