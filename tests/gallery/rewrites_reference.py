"""Hostile: wrong, and rewrites the reference to agree with it (issue 14).

Finds the reference's file in signoff's command line, overwrites it with a copy of this wrong
answer, then kills the reference's worker so that signoff restarts it on the changed file.
"""

import os
import signal


def _signoff_arguments():
    with open(f"/proc/{os.getppid()}/cmdline", "rb") as cmdline:
        return cmdline.read().decode().split("\0")


def _kill_other_workers():
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if parent == os.getppid() and b"worker_main.py" in command:
            os.kill(int(entry), signal.SIGKILL)


def sort(xs):
    arguments = _signoff_arguments()
    reference = arguments[arguments.index("--reference") + 1].rsplit(":", 1)[0]
    with open(reference, "w") as source:
        source.write("def sort(xs):\n    return list(xs)\n")
    _kill_other_workers()
    return list(xs)
