"""Flawed: starts a long-lived child process, then never returns (an orphan in the making)."""

import subprocess


def sort(xs):
    subprocess.Popen(["sleep", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pass
