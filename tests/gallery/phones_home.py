"""Hostile: reaches for the network, here a service on this very machine (issue 14)."""

import socket


def fetch(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            return connection.recv(64).decode()
    except OSError as error:
        return f"offline: errno {error.errno}"


def fetch_from_signoffs_namespace(port):
    """The same, after joining signoff's own network namespace again (setns(2)), which root may."""
    import ctypes
    import os

    try:
        with open(f"/proc/{os.getppid()}/ns/net") as namespace:
            joined = ctypes.CDLL(None, use_errno=True).setns(namespace.fileno(), 0x40000000)
    except OSError as error:
        return f"offline: errno {error.errno} opening signoff's namespace"
    return fetch(port) + ("" if joined == 0 else " (setns refused)")
