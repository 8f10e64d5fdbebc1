"""Engines with query bugs for the generated and metamorphic checks, as ``module:factory`` targets.

Each wraps Python's sqlite3 (autocommit) and rewrites the SQL it is given, so
its answers are SQLite's except where the flaw bites:

- ``truncating``: a top-level ``WHERE p`` keeps a row only when ``p``
  truncated to an integer is true, so a predicate worth 0.5 drops the row
  (an optimiser bug: the same ``p`` in a ``CASE`` or an output column is
  right). Differential queries, TLP and NoREC all see it.
- ``null_blind``: ``x IS NULL`` is read as ``x = NULL``, which is never
  true: a wrong result in about one generated query in ten.
- ``empty_is_null``: an INSERT stores ``''`` as NULL, as Oracle does.
- ``last_row_lost``: a result of two rows or more comes back without its
  last row (a cursor bug): a wrong result in one generated script in eight.
- ``between_crash``: any statement with ``BETWEEN`` kills the process.
- ``sluggish``: right, but every statement takes 20 ms longer.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

_CLAUSES_AFTER_WHERE = (" GROUP BY ", " ORDER BY ", " LIMIT ")
_EMPTY_TEXT = re.compile(r"(?<![X'])''(?!')")  # '' as a value, not X'' (a blob)


class Cursor:
    def __init__(self, inner: sqlite3.Cursor, rewrite: Callable[[str], str], lose_last: bool) -> None:
        self._inner = inner
        self._rewrite = rewrite
        self._lose_last = lose_last

    @property
    def description(self) -> Any:
        return self._inner.description

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> Cursor:
        self._inner.execute(self._rewrite(sql), parameters)
        return self

    def fetchall(self) -> list[Any]:
        rows = self._inner.fetchall()
        return rows[:-1] if self._lose_last and len(rows) > 1 else rows

    def close(self) -> None:
        self._inner.close()


class Connection:
    def __init__(self, path: str, rewrite: Callable[[str], str], lose_last: bool = False) -> None:
        self._inner = sqlite3.connect(path, isolation_level=None)
        self._rewrite = rewrite
        self._lose_last = lose_last

    def cursor(self) -> Cursor:
        return Cursor(self._inner.cursor(), self._rewrite, self._lose_last)

    def commit(self) -> None:
        self._inner.commit()

    def close(self) -> None:
        self._inner.close()


def _top_level(sql: str, word: str, start: int = 0) -> int:
    """Where ``word`` first occurs at parenthesis depth 0 and outside quotes, from ``start``; -1 if not."""
    depth, quoted = 0, False
    for index in range(len(sql)):
        char = sql[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and index >= start and sql.startswith(word, index):
            return index
    return -1


def _truncate_where(sql: str) -> str:
    where = _top_level(sql, " WHERE ")
    if where < 0:
        return sql
    begin = where + len(" WHERE ")
    ends = [e for e in (_top_level(sql, clause, begin) for clause in _CLAUSES_AFTER_WHERE) if e >= 0]
    end = min(ends, default=len(sql))
    return f"{sql[:begin]}CAST(({sql[begin:end]}) AS INTEGER){sql[end:]}"


def _crash_on_between(sql: str) -> str:
    if "BETWEEN" in sql:
        os.kill(os.getpid(), signal.SIGSEGV)
    return sql


def _null_blind(sql: str) -> str:
    return sql.replace("IS NULL", "= NULL")


def null_blind(path: str) -> Connection:
    return Connection(path, _null_blind)


def truncating(path: str) -> Connection:
    return Connection(path, _truncate_where)


def between_crash(path: str) -> Connection:
    return Connection(path, _crash_on_between)


def _sleep_first(sql: str) -> str:
    time.sleep(0.02)
    return sql


def sluggish(path: str) -> Connection:
    return Connection(path, _sleep_first)


def _empty_as_null(sql: str) -> str:
    return _EMPTY_TEXT.sub("NULL", sql) if sql.startswith("INSERT") else sql


def empty_is_null(path: str) -> Connection:
    return Connection(path, _empty_as_null)


def last_row_lost(path: str) -> Connection:
    return Connection(path, str, lose_last=True)
