"""Hostile, quietly: right answers, but it edits the reference's file on the way (issue 14).

Appends a comment to the file named after ``--reference`` on signoff's command line: the
reference's answers do not change, so only the edit itself can fail it.
"""

import os


def sort(xs):
    with open(f"/proc/{os.getppid()}/cmdline", "rb") as cmdline:
        arguments = cmdline.read().decode().split("\0")
    reference = arguments[arguments.index("--reference") + 1].rsplit(":", 1)[0]
    with open(reference, "a") as source:
        source.write("# touched\n")
    return sorted(xs)
