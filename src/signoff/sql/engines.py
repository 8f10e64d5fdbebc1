"""SQL engines by name, and how to open a DB-API 2.0 connection to each.

An engine is named by the user as one of ``NAMED`` or as ``module:factory``
(or ``path/to/file.py:factory``), where ``factory(path)`` returns a DB-API 2.0
connection; ``path`` is a database file, or ``":memory:"`` for the
sqllogictest corpus. signoff sends ``BEGIN`` and ``COMMIT`` itself, so the
connection should run each statement on its own (autocommit, as
``sqlite3.connect(path, isolation_level=None)`` does); a connection that opens
transactions implicitly (``in_transaction`` true after a write) is committed
after each statement outside an explicit transaction.

What was found by trying each named engine (and what is done about it):

- ``sqlite3`` (stdlib): autocommit with ``isolation_level=None``; one
  statement per ``execute``; a statement cache of 128 by SQL text; errors are
  ``sqlite3.Error``; ``set_progress_handler`` counts VDBE steps.
- ``turso`` (PyPI ``pyturso``, ``import turso``): the sqlite3 module's API; by
  default it opens transactions implicitly, so it is opened with
  ``isolation_level=None``; errors are ``turso.DatabaseError`` and kin; answers
  ``EXPLAIN QUERY PLAN``; has ``interrupt`` but no progress handler.
- ``libsql`` (PyPI ``libsql-experimental``): also implicit transactions by
  default (opened with ``isolation_level=None``); parameters must be a
  tuple, not a list; every error is a ``ValueError``; ``execute`` of several
  statements runs only the first; a statement that returns no rows has an
  empty ``description`` rather than None; no statement cache (each execute
  prepares again).
- ``duckdb``: autocommit; not SQLite's dialect (REAL is 32-bit, ``5/2`` is
  2.5, no ``PRAGMA journal_mode``, no ``EXPLAIN QUERY PLAN``); every statement
  has a description (``Count``, ``Success``).
- ``apsw``: SQLite's own C API, always autocommit; its cursor runs several
  statements per ``execute`` and has no ``description`` once a statement is
  done (a query without rows), so it is adapted here (``ApswConnection``).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol

from signoff.errors import SpecError
from signoff.runner.trusted import load_trusted
from signoff.targets import parse_target

INSTALL_HINT = "pip install 'signoff[sql]'"


class Cursor(Protocol):
    @property
    def description(self) -> Sequence[object] | None: ...

    def execute(self, operation: str, parameters: Sequence[object] = ..., /) -> object: ...

    def fetchall(self) -> Sequence[Sequence[object]]: ...

    def close(self) -> object: ...


class Connection(Protocol):
    """The DB-API 2.0 subset signoff uses."""

    def cursor(self) -> Cursor: ...

    def commit(self) -> object: ...

    def close(self) -> object: ...


@dataclass(frozen=True, slots=True)
class NamedEngine:
    name: str
    module: str  # what is imported
    package: str | None  # what pip installs; None for the standard library
    about: str


NAMED: dict[str, NamedEngine] = {
    engine.name: engine
    for engine in (
        NamedEngine("sqlite3", "sqlite3", None, "Python's sqlite3 module (SQLite's C library)"),
        NamedEngine("turso", "turso", "pyturso", "Turso, the Rust rewrite of SQLite"),
        NamedEngine("libsql", "libsql_experimental", "libsql-experimental", "libSQL, the C fork of SQLite"),
        NamedEngine("duckdb", "duckdb", "duckdb", "DuckDB (not SQLite's dialect)"),
        NamedEngine("apsw", "apsw", "apsw", "APSW, SQLite's C API for Python"),
    )
}


def resolve_engine(text: str) -> str:
    """Check an engine name where signoff runs (nothing is imported); what a worker takes.

    A named engine whose package is missing, or a malformed ``module:factory``,
    raises SpecError saying what to do. A file target is made absolute.
    """
    if text in NAMED:
        engine = NAMED[text]
        if importlib.util.find_spec(engine.module) is None:
            raise SpecError(
                f"engine {text!r} needs the Python package {engine.package!r}, which is not "
                f"installed: {INSTALL_HINT} (or pip install {engine.package})"
            )
        return text
    if ":" not in text:
        raise SpecError(
            f"unknown SQL engine {text!r}: name one of {', '.join(NAMED)}, or give "
            "module:factory where factory(path) returns a DB-API 2.0 connection"
        )
    target = parse_target(text, what="engine")
    if target.path is not None:
        return f"{target.path}:{target.qualname}"
    return text


def open_connection(engine: str, path: str) -> Connection:
    """A connection to the database at ``path`` (``":memory:"`` for none) on ``engine``.

    Runs in the worker: this is where the engine's code is imported.
    """
    opener = _OPENERS.get(engine)
    if opener is not None:
        return opener(path)
    factory: Any = load_trusted(parse_target(engine, what="engine"))
    connection = factory(path)
    if not callable(getattr(connection, "cursor", None)):
        raise TypeError(f"{engine} returned {type(connection).__name__}, not a DB-API connection")
    return connection  # type: ignore[no-any-return]


def engine_version(engine: str) -> str:
    """The engine's version, for the report ("pyturso 0.8.3, SQLite 3.50.4"); '' when unknown."""
    named = NAMED.get(engine)
    if named is None:
        return ""
    module: Any = importlib.import_module(named.module)
    if engine == "apsw":
        return f"apsw {module.apswversion()}, SQLite {module.sqlite_lib_version()}"
    sqlite = getattr(module, "sqlite_version", None)
    if not sqlite and getattr(module, "sqlite_version_info", None):
        sqlite = ".".join(map(str, module.sqlite_version_info))
    if named.package is None:
        return f"SQLite {sqlite}"
    try:
        package = f"{named.package} {metadata.version(named.package)}"
    except metadata.PackageNotFoundError:
        package = named.package
    return f"{package}, SQLite {sqlite}" if sqlite else package


def _sqlite3(path: str) -> Connection:
    import sqlite3

    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


def _turso(path: str) -> Connection:
    module: Any = importlib.import_module("turso")
    return module.connect(path, isolation_level=None)  # type: ignore[no-any-return]


def _libsql(path: str) -> Connection:
    module: Any = importlib.import_module("libsql_experimental")
    return module.connect(path, isolation_level=None)  # type: ignore[no-any-return]


def _duckdb(path: str) -> Connection:
    module: Any = importlib.import_module("duckdb")
    return module.connect(path)  # type: ignore[no-any-return]


def _apsw(path: str) -> Connection:
    return ApswConnection(path)


_OPENERS: dict[str, Callable[[str], Connection]] = {
    "sqlite3": _sqlite3, "turso": _turso, "libsql": _libsql, "duckdb": _duckdb, "apsw": _apsw,
}


class ApswCursor:
    """An apsw cursor with a DB-API ``description`` that outlives the statement.

    apsw only describes a statement while it has rows to give; the exec
    tracer, called after each statement is prepared, keeps its columns.
    """

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._columns: tuple[tuple[str, Any], ...] = ()
        cursor.exec_trace = self._trace

    def _trace(self, cursor: Any, sql: str, bindings: Any) -> bool:
        self._columns = tuple(cursor.get_description())
        return True

    @property
    def description(self) -> Sequence[object] | None:
        if not self._columns:
            return None
        return tuple((name, kind, None, None, None, None, None) for name, kind in self._columns)

    def execute(self, operation: str, parameters: Sequence[object] | None = None, /) -> ApswCursor:
        self._columns = ()
        self._cursor.execute(operation, parameters)
        return self

    def executemany(self, operation: str, rows: Sequence[Sequence[object]], /) -> ApswCursor:
        self._columns = ()
        self._cursor.executemany(operation, rows)
        return self

    def fetchall(self) -> list[tuple[object, ...]]:
        return list(self._cursor.fetchall())

    def close(self) -> None:
        self._cursor.close()


class ApswConnection:
    """apsw's connection with the DB-API shape: cursor, commit, close (always autocommit)."""

    def __init__(self, path: str) -> None:
        module: Any = importlib.import_module("apsw")
        self.native = module.Connection(path)

    def cursor(self) -> ApswCursor:
        return ApswCursor(self.native.cursor())

    @property
    def in_transaction(self) -> bool:
        return bool(self.native.in_transaction)

    def commit(self) -> None:
        if self.native.in_transaction:
            self.native.execute("COMMIT")

    def close(self) -> None:
        self.native.close()

    def interrupt(self) -> None:
        self.native.interrupt()

    def set_progress_handler(self, handler: Callable[[], int] | None, n: int) -> None:
        self.native.set_progress_handler(handler, n)
