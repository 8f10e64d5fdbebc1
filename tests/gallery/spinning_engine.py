"""Hostile: an SQL engine factory (``module:factory``) that starts a long-lived child, then never
returns a connection (an orphan in the making under ``signoff sql``)."""

import subprocess


def spinning(path):
    subprocess.Popen(["sleep", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pass
