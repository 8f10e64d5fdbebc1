"""Deliberately flawed SQL engines for the ``signoff sql`` tests, as ``module:factory`` targets.

Each is a DB-API 2.0 wrapper over Python's sqlite3 (autocommit), so that its
results are SQLite's and only the flaw differs:

- ``scanning``: the planner never takes the rowid path: every ``id = ?`` is
  rewritten to ``id + 0 = ?``, so each primary-key lookup scans the table
  (the flagship flaw of the SQLite rewrite in DESIGN.md);
- ``hanging``: a statement that names the table ``stuck`` never returns;
- ``crashing``: a statement that names the table ``boom`` kills the process;
- ``forgetful``: primary-key lookups find nothing (fast and wrong).
- ``emptyless``: an INSERT of an empty string ``''`` is silently dropped, so
  the row is lost (a wrong result only after that one INSERT).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

_PRIMARY_KEY = re.compile(r"\bid\s*=\s*\?")


class Cursor:
    def __init__(self, inner: sqlite3.Cursor, rewrite: Callable[[str], str]) -> None:
        self._inner = inner
        self._rewrite = rewrite

    @property
    def description(self) -> Any:
        return self._inner.description

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> Cursor:
        self._inner.execute(self._rewrite(sql), parameters)
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> Cursor:
        self._inner.executemany(self._rewrite(sql), rows)
        return self

    def fetchall(self) -> list[Any]:
        return self._inner.fetchall()

    def close(self) -> None:
        self._inner.close()


class Connection:
    def __init__(self, path: str, rewrite: Callable[[str], str]) -> None:
        self._inner = sqlite3.connect(path, isolation_level=None)
        self._rewrite = rewrite

    def cursor(self) -> Cursor:
        return Cursor(self._inner.cursor(), self._rewrite)

    def commit(self) -> None:
        self._inner.commit()

    def close(self) -> None:
        self._inner.close()

    def set_progress_handler(self, handler: Callable[[], int] | None, n: int) -> None:
        self._inner.set_progress_handler(handler, n)


def _scan(sql: str) -> str:
    return _PRIMARY_KEY.sub("id + 0 = ?", sql)


def _hang(sql: str) -> str:
    if "stuck" in sql:
        while True:
            time.sleep(1)
    return sql


def _crash(sql: str) -> str:
    if "boom" in sql:
        os.kill(os.getpid(), signal.SIGSEGV)
    return sql


def scanning(path: str) -> Connection:
    return Connection(path, _scan)


def hanging(path: str) -> Connection:
    return Connection(path, _hang)


def crashing(path: str) -> Connection:
    return Connection(path, _crash)


def _forget(sql: str) -> str:
    if "WHERE id = ?" in sql and sql.lstrip().upper().startswith("SELECT"):
        return sql.replace("WHERE id = ?", "WHERE id = -?")
    return sql


def forgetful(path: str) -> Connection:
    """Primary-key lookups find nothing (fast, and wrong)."""
    return Connection(path, _forget)


def _drop_empty(sql: str) -> str:
    if sql.lstrip().upper().startswith("INSERT") and "''" in sql:
        return "SELECT NULL WHERE 0"
    return sql


def emptyless(path: str) -> Connection:
    """An INSERT of an empty string succeeds and stores nothing."""
    return Connection(path, _drop_empty)
