"""Engines with query bugs for the generated and metamorphic checks, as ``module:factory`` targets.

Each wraps Python's sqlite3 (autocommit) and rewrites the SQL it is given, so
its answers are SQLite's except where the flaw bites:

- ``truncating``: a top-level ``WHERE p`` keeps a row only when ``p``
  truncated to an integer is true, so a predicate worth 0.5 drops the row
  (an optimiser bug: the same ``p`` in a ``CASE`` or an output column is
  right). Differential queries, TLP and NoREC all see it.
- ``null_blind``: ``x IS NULL`` is read as ``x = NULL``, which is never
  true: a wrong result in about one generated query in ten.
- ``between_crash``: any statement with ``BETWEEN`` kills the process.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

_CLAUSES_AFTER_WHERE = (" GROUP BY ", " ORDER BY ", " LIMIT ")


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
