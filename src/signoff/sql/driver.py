"""What an SQL worker process does: runs corpus records and invariant workloads on one engine.

Everything here runs inside a worker (``signoff.runner.process.Worker``),
never in signoff's own process. The worker's target is ``dispatch`` (loaded
through ``worker.py``); it keeps its state in module globals between calls:
the open corpus file and its connection, and the workloads' databases. The
engine comes from the environment, set by the parent per worker:

- ``SIGNOFF_SQL_ENGINE``: a named engine or ``module:factory`` (see ``engines``);
- ``SIGNOFF_SQL_DIR``: a folder of its own for database files;
- ``SIGNOFF_SQL_MEMORY_DIR``: where there is one, a folder of its own in
  memory for the databases of ``workloads.IN_MEMORY``;
- ``SIGNOFF_SQL_PROGRESS``: a file where the index of the record being run is
  written before it runs, so that when a record hangs or crashes the worker,
  the parent can read which one it was.

Operations (``dispatch(name, *args)``); every answer is plain data:

- ``("info",)``: the engine's name and version, and whether it counts VDBE steps;
- ``("slt", path, start, stop, budget_s)``: run records ``start..stop-1`` of
  the corpus file at ``path`` for at most about ``budget_s`` seconds; answers
  ``(next, outcomes, halted)``. A fresh worker (after a crash) replays records
  ``0..start-1`` first, silently, to rebuild the database;
- ``("scripts", scripts)``: run each script (a list of SQL statements) on a
  fresh in-memory database; answers each statement's outcome (``ScriptStep``).
  The progress file holds the index of the script being run;
- ``("slt_subset", path, indices)``: run only those records of the corpus file
  at ``path``, in the order given, on a fresh in-memory database (one try of
  the minimiser, ``minimize.py``); answers their outcomes. The progress file
  holds the index of the record being run;
- ``("setup", workload, size)``, ``("work", workload, size)``,
  ``("answer", workload, size)``, ``("steps", workload, size)``,
  ``("plan", workload)``: see ``workloads``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from signoff.sql import workloads
from signoff.sql.engines import Connection, engine_version, open_connection
from signoff.sql.slt_parser import BrokenRecord, Record, load_lenient
from signoff.sql.slt_runner import RecordOutcome, SltRunner

ENGINE_VARIABLE = "SIGNOFF_SQL_ENGINE"
DIRECTORY_VARIABLE = "SIGNOFF_SQL_DIR"
MEMORY_DIRECTORY_VARIABLE = "SIGNOFF_SQL_MEMORY_DIR"
PROGRESS_VARIABLE = "SIGNOFF_SQL_PROGRESS"
PROGRESS_WIDTH = 64  # bytes written over the progress file each time

# One record's outcome as it travels: index, status, message, formatted values
# (None when the query gave no result), column count, what was raised, seconds.
EncodedOutcome = tuple[int, str, str, tuple[str, ...] | None, int, str | None, float]


def engine() -> str:
    value = os.environ.get(ENGINE_VARIABLE)
    if not value:
        raise RuntimeError(f"{ENGINE_VARIABLE} is not set: this worker has no engine")
    return value


def connect(path: str) -> Connection:
    return open_connection(engine(), path)


def database_path(name: str) -> str:
    folder = os.environ.get(DIRECTORY_VARIABLE) or "."
    if name in workloads.IN_MEMORY:
        folder = os.environ.get(MEMORY_DIRECTORY_VARIABLE) or folder
    return os.path.join(folder, f"{name}.db")


@dataclass
class _CorpusFile:
    path: str
    records: list[Record | BrokenRecord]
    connection: Connection
    runner: SltRunner
    position: int = 0


@dataclass
class _State:
    corpus: _CorpusFile | None = None
    progress_fd: int = -1
    databases: dict[str, workloads.Database] = field(default_factory=dict)


_state = _State()


def dispatch(operation: str, *args: Any) -> Any:
    """Run one operation (see the module docstring)."""
    handler = _OPERATIONS.get(operation)
    if handler is None:
        raise ValueError(f"unknown driver operation {operation!r}")
    return handler(*args)


def info() -> tuple[str, str, bool]:
    name = engine()
    try:
        version = engine_version(name)
    except Exception as error:  # a version is decoration; its absence is no fault
        version = f"(version unknown: {error})"
    probe = connect(":memory:")
    try:
        counts = callable(getattr(probe, "set_progress_handler", None))
    finally:
        probe.close()
    return name, version, counts


def run_slt(path: str, start: int, stop: int, budget_s: float) -> tuple[int, list[EncodedOutcome], bool]:
    """Run the file's records from ``start`` while time is left; see the module docstring."""
    current = _state.corpus
    if current is None or current.path != path or current.position != start:
        current = _open_corpus_file(path)
        for record in current.records[:start]:
            current.runner.run(record)
        current.position = start
    records, runner = current.records, current.runner
    stop = min(stop, len(records))
    outcomes: list[EncodedOutcome] = []
    began = time.perf_counter()
    index = start
    while index < stop and not runner.halted:
        if index > start and time.perf_counter() - began >= budget_s:
            break
        _mark_progress(index)
        outcome = runner.run(records[index])
        if outcome is not None:
            outcomes.append(encode_outcome(index, outcome))
        index += 1
    current.position = index
    return index, outcomes, runner.halted


def close_slt() -> None:
    """Close the corpus file's connection (its in-memory database goes with it)."""
    if _state.corpus is not None:
        try:
            _state.corpus.connection.close()
        finally:
            _state.corpus = None


def encode_outcome(index: int, outcome: RecordOutcome) -> EncodedOutcome:
    got = outcome.got
    values = None if got is None else got.values
    columns = 0 if got is None else got.columns
    return (index, outcome.status, outcome.message, values, columns, outcome.raised, outcome.seconds)


_subset_file: dict[str, list[Record | BrokenRecord]] = {}  # the file the minimiser works on, parsed


def run_slt_subset(path: str, indices: list[int]) -> list[EncodedOutcome]:
    """Run only records ``indices`` of the file, on a fresh in-memory database.

    The minimiser tries many subsets of one file in a row, so the file is
    parsed once and kept. The corpus file's own connection (``slt``) is left
    alone: a try must not see, or change, the database the corpus built.
    """
    records = _subset_file.get(path)
    if records is None:
        _subset_file.clear()
        records = _subset_file[path] = load_lenient(path)
    connection = connect(":memory:")
    try:
        runner = SltRunner(connection, path=path)
        outcomes: list[EncodedOutcome] = []
        for index in indices:
            _mark_progress(index)
            outcome = runner.run(records[index])
            if outcome is not None:
                outcomes.append(encode_outcome(index, outcome))
        return outcomes
    finally:
        try:
            connection.close()
        except Exception:  # a connection that cannot close changes no outcome
            pass


def _open_corpus_file(path: str) -> _CorpusFile:
    close_slt()
    records = load_lenient(path)
    connection = connect(":memory:")
    runner = SltRunner(connection, path=path)
    _state.corpus = _CorpusFile(path, records, connection, runner)
    return _state.corpus


def _mark_progress(index: int) -> None:
    if _state.progress_fd < 0:
        where = os.environ.get(PROGRESS_VARIABLE)
        if not where:
            return
        _state.progress_fd = os.open(where, os.O_WRONLY | os.O_CREAT, 0o600)
    os.pwrite(_state.progress_fd, str(index).encode().ljust(PROGRESS_WIDTH), 0)


def read_progress(path: str) -> int | None:
    """The record index a worker last began (in the parent, after a fault); None if unknown."""
    try:
        with open(path, "rb") as file:
            text = file.read(PROGRESS_WIDTH).strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


# One statement's outcome in a script: ("rows", values of each row) when it gave
# a result set, ("done", ()) when it gave none, ("raise", "Type: message").
ScriptStep = tuple[str, Any]


def run_scripts(scripts: list[list[str]]) -> list[list[ScriptStep]]:
    """Run each script on a fresh in-memory database, statement by statement, to its end."""
    return [_run_script(index, statements) for index, statements in enumerate(scripts)]


def _run_script(index: int, statements: list[str]) -> list[ScriptStep]:
    _mark_progress(index)
    connection = connect(":memory:")
    steps: list[ScriptStep] = []
    try:
        for sql in statements:
            cursor = connection.cursor()
            try:
                cursor.execute(sql)
                description = cursor.description
                # An empty description is no result set too (libsql gives () for DDL).
                rows = None if not description else cursor.fetchall()
            except Exception as error:
                steps.append(("raise", f"{type(error).__name__}: {error}"))
                continue
            finally:
                try:
                    cursor.close()
                except Exception:  # a cursor that cannot close changes no outcome
                    pass
            if rows is None:
                steps.append(("done", ()))
            else:
                steps.append(("rows", tuple(tuple(plain_value(v) for v in row) for row in rows)))
    finally:
        try:
            connection.close()
        except Exception:
            pass
    return steps


def plain_value(value: object) -> object:
    """A value as the parent compares it: None, int, float, str or bytes.

    Drivers return other types for the same SQL values (DuckDB a Decimal for
    1.5, some drivers a bool or a memoryview); anything else travels as its
    type name and text, so that it shows as a difference, never as a crash.
    """
    if value is None or type(value) in (int, float, str, bytes):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    for kind in (int, float, str):  # subclasses of the plain types
        if isinstance(value, kind):
            return kind(value)
    return f"<{type(value).__name__}> {value!s}"


def _database(name: str) -> workloads.Database:
    database = _state.databases.get(name)
    if database is None:
        # A fresh worker (after a crash) starts its databases again from nothing.
        path = database_path(name)
        for leftover in (path, path + "-wal", path + "-shm", path + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        database = workloads.Database(name, connect(path))
        _state.databases[name] = database
    return database


def setup(workload: str, size: int) -> list[str]:
    """Build (or grow) the workload's tables to ``size``; notes on settings the engine refused."""
    return workloads.get(workload).setup(_database(workloads.get(workload).database), size)


def work(workload: str, size: int) -> None:
    """One unit of the workload: this is what is timed."""
    workloads.get(workload).run(_database(workloads.get(workload).database), size)


def answer(workload: str, size: int) -> object:
    """What the workload reads, so that two engines can be checked to do the same work."""
    return workloads.get(workload).answer(_database(workloads.get(workload).database), size)


def plan(workload: str) -> list[str] | str | None:
    """The engine's ``EXPLAIN QUERY PLAN`` of the workload's main query: details, an error, or None."""
    return workloads.get(workload).plan(_database(workloads.get(workload).database))


def steps(workload: str, size: int) -> int | None:
    """VDBE steps of one unit of work, where the connection has a progress handler; else None."""
    chosen = workloads.get(workload)
    database = _database(chosen.database)
    install: Callable[[Callable[[], int] | None, int], object] | None = getattr(
        database.connection, "set_progress_handler", None)
    if install is None:
        return None
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0

    install(count, 1)
    try:
        chosen.run(database, size)
    finally:
        install(None, 1)
    return counted[0]


_OPERATIONS: dict[str, Callable[..., Any]] = {
    "info": info, "slt": run_slt, "slt_close": close_slt, "scripts": run_scripts,
    "setup": setup, "work": work, "answer": answer, "plan": plan, "steps": steps,
    "slt_subset": run_slt_subset,
}
