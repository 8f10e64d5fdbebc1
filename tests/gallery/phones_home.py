"""Hostile: reaches for the network, here a service on this very machine (issue 14)."""

import socket


def fetch(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            return connection.recv(64).decode()
    except OSError as error:
        return f"offline: errno {error.errno}"
