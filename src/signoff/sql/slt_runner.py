"""Run sqllogictest records against a DB-API 2.0 connection.

One ``SltRunner`` runs one file's records, in order, on one connection, one
record per ``run`` call, so a caller (a worker process with a time limit) can
drive it record by record. It keeps the file's state: the hash threshold, the
results seen per label, and whether a ``halt`` was reached.

Each statement or query gives a ``RecordOutcome``: ``ok``, ``mismatch``
(a query's result differs from the file's), ``error`` (the engine raised where
success was expected, or succeeded where an error was expected, or returned
the wrong number of columns), ``skipped`` (a guard excludes the engine) or
``broken`` (the record does not parse). A query that ran also carries its
formatted result, ``got``, so two engines can be compared on their output,
not only on pass/fail (see ``slt_compare``).

Results are compared the way SQLite's driver compares them, with one
deliberate difference: the file's expectation decides the form. A hashed
expectation is compared with the hash of the result, a list of values with
the values; the hash threshold only decides how results are shown.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from signoff.sql.slt_format import (
    DEFAULT_HASH_THRESHOLD,
    QueryResult,
    format_result,
    md5_of,
)
from signoff.sql.slt_parser import (
    BrokenRecord,
    Halt,
    HashedResult,
    HashThreshold,
    Query,
    Record,
    Statement,
    applies,
    load,
    load_lenient,
)

REFERENCE_ENGINE = "sqlite"  # the name the reference answers to in skipif/onlyif

Status = Literal["ok", "mismatch", "error", "skipped", "broken"]
STATUSES: tuple[Status, ...] = ("ok", "mismatch", "error", "skipped", "broken")

_SPACE = " \t\n\v\f\r"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)


class Cursor(Protocol):
    @property
    def description(self) -> Sequence[object] | None: ...

    def execute(self, operation: str, /) -> object: ...

    def fetchall(self) -> Sequence[Sequence[object]]: ...

    def close(self) -> object: ...


class Connection(Protocol):
    """What the runner needs of a DB-API 2.0 connection."""

    def cursor(self) -> Cursor: ...


def connect_sqlite(database: str = ":memory:") -> sqlite3.Connection:
    """A reference connection: autocommit, so each statement runs as ``sqlite3_exec`` would."""
    return sqlite3.connect(database, isolation_level=None)


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What one statement or query did; ``line`` is the record's keyword line."""

    record: Statement | Query | BrokenRecord
    status: Status
    message: str = ""  # why, for a person; empty when ok
    got: QueryResult | None = None  # a query's formatted result, whenever it returned rows
    raised: str | None = None  # the engine's exception, "Type: message", when it raised
    seconds: float = 0.0  # time in the engine: execute and fetch

    @property
    def line(self) -> int:
        return self.record.line


@dataclass(frozen=True, slots=True)
class FileSummary:
    path: str
    records: int
    ok: int
    mismatch: int
    error: int
    skipped: int
    broken: int
    seconds: float
    halted_at: int | None = None

    @property
    def ran(self) -> int:
        """Records that were not skipped."""
        return self.records - self.skipped

    @property
    def passed(self) -> bool:
        return self.ok == self.ran


@dataclass(frozen=True, slots=True)
class FileReport:
    summary: FileSummary
    failures: tuple[RecordOutcome, ...]  # every outcome that is not ok or skipped


class SltRunner:
    """Runs one file's records in order on ``connection``, as ``engine`` for the guards."""

    def __init__(
        self,
        connection: Connection,
        *,
        engine: str = REFERENCE_ENGINE,
        path: str = "<string>",
        hash_threshold: int = DEFAULT_HASH_THRESHOLD,
        wrap_int32: bool = True,
    ) -> None:
        self.connection = connection
        self.engine = engine
        self.path = path
        self.hash_threshold = hash_threshold
        self.wrap_int32 = wrap_int32
        self.halted_at: int | None = None
        self.counts: Counter[Status] = Counter()
        self.seconds = 0.0
        self._labels: dict[str, tuple[str, int]] = {}  # label -> (md5, line first seen)

    @property
    def halted(self) -> bool:
        return self.halted_at is not None

    def run(self, record: Record | BrokenRecord) -> RecordOutcome | None:
        """Run one record. None for hash-threshold and halt, and for anything after a halt."""
        if self.halted:
            return None
        if isinstance(record, HashThreshold | Halt):
            if applies(record, self.engine):
                if isinstance(record, Halt):
                    self.halted_at = record.line
                else:
                    self.hash_threshold = record.n
            return None
        if not applies(record, self.engine):
            outcome = self._skip(record)
        elif isinstance(record, BrokenRecord):
            outcome = RecordOutcome(record, "broken", f"{self.path}:{record.line}: {record.problem}")
        elif isinstance(record, Statement):
            outcome = self._statement(record)
        else:
            outcome = self._query(record)
        self.counts[outcome.status] += 1
        self.seconds += outcome.seconds
        return outcome

    def run_all(self, records: Iterable[Record | BrokenRecord]) -> Iterator[RecordOutcome]:
        """The outcome of each statement and query, in order, up to a halt."""
        for record in records:
            if self.halted:
                return
            outcome = self.run(record)
            if outcome is not None:
                yield outcome

    def summary(self, seconds: float | None = None) -> FileSummary:
        """Counts so far; ``seconds`` defaults to the time spent in the engine."""
        counts = self.counts
        return FileSummary(
            path=self.path,
            records=sum(counts.values()),
            ok=counts["ok"],
            mismatch=counts["mismatch"],
            error=counts["error"],
            skipped=counts["skipped"],
            broken=counts["broken"],
            seconds=self.seconds if seconds is None else seconds,
            halted_at=self.halted_at,
        )

    def _execute(self, sql: str) -> tuple[list[Sequence[object]] | None, int, float]:
        """Rows (None if the SQL gives no result set), column count, seconds; raises as the engine does."""
        start = time.perf_counter()
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            description = cursor.description
            # An empty description is no result set too (libsql gives () for DDL).
            rows = None if not description else list(cursor.fetchall())
        finally:
            try:
                cursor.close()
            except Exception:  # a cursor that cannot close changes no outcome
                pass
        columns = 0 if not description else len(description)
        return rows, columns, time.perf_counter() - start

    def _statement(self, record: Statement) -> RecordOutcome:
        start = time.perf_counter()
        try:
            for sql in split_statements(record.sql):
                self._execute(sql)
            seconds = time.perf_counter() - start
        except Exception as exc:
            seconds = time.perf_counter() - start
            raised = _describe(exc)
            if record.expect_ok:
                return RecordOutcome(record, "error", raised, raised=raised, seconds=seconds)
            return RecordOutcome(record, "ok", raised=raised, seconds=seconds)
        if record.expect_ok:
            return RecordOutcome(record, "ok", seconds=seconds)
        return RecordOutcome(
            record, "error", "the statement succeeded, but an error was expected", seconds=seconds
        )

    def _query(self, record: Query) -> RecordOutcome:
        start = time.perf_counter()
        try:
            rows, columns, seconds = self._execute(record.sql)
            if rows is None:
                message = "the query returned no result set"
                return RecordOutcome(record, "error", message, seconds=seconds)
            got = format_result(rows, record.types, record.sort, wrap_int32=self.wrap_int32)
        except Exception as exc:
            raised = _describe(exc)
            seconds = time.perf_counter() - start
            return RecordOutcome(record, "error", raised, raised=raised, seconds=seconds)
        if columns != len(record.types):
            message = f"wrong number of result columns: expected {len(record.types)}, got {columns}"
            return RecordOutcome(record, "error", message, got=got, seconds=seconds)
        if not got.matches(record.expected):
            message = _difference(record.expected, got, self.hash_threshold)
            return RecordOutcome(record, "mismatch", message, got=got, seconds=seconds)
        if record.label is not None:
            disagreement = self._label(record.label, got.md5, record.line)
            if disagreement:
                return RecordOutcome(record, "mismatch", disagreement, got=got, seconds=seconds)
        return RecordOutcome(record, "ok", got=got, seconds=seconds)

    def _skip(self, record: Statement | Query | BrokenRecord) -> RecordOutcome:
        # Like the reference driver, a skipped query with a label still files its
        # expected result under the label, so the variants must agree.
        if isinstance(record, Query) and record.label is not None and record.expected:
            expected = record.expected
            if isinstance(expected, HashedResult):
                md5 = expected.md5
            else:
                md5 = md5_of(expected)
            disagreement = self._label(record.label, md5, record.line)
            if disagreement:
                return RecordOutcome(record, "mismatch", f"(skipped record) {disagreement}")
        return RecordOutcome(record, "skipped", f"excluded for engine {self.engine!r}")

    def _label(self, label: str, md5: str, line: int) -> str | None:
        first = self._labels.setdefault(label, (md5, line))
        if first[0] == md5:
            return None
        return f"labeled result [{label}] does not agree with line {first[1]}"


def run_file(
    path: str | Path,
    connection: Connection,
    *,
    engine: str = REFERENCE_ENGINE,
    strict: bool = False,
    wrap_int32: bool = True,
) -> FileReport:
    """Run every record of the file at ``path``; broken records are reported unless ``strict``."""
    start = time.perf_counter()
    records = load(path) if strict else load_lenient(path)
    runner = SltRunner(connection, engine=engine, path=str(path), wrap_int32=wrap_int32)
    failures = tuple(o for o in runner.run_all(records) if o.status not in ("ok", "skipped"))
    return FileReport(runner.summary(time.perf_counter() - start), failures)


def split_statements(sql: str) -> list[str]:
    """The statements in ``sql``, run one after the other as ``sqlite3_exec`` runs them.

    DB-API drivers take one statement per ``execute``; a record may hold
    several (``INSERT ...; DROP INDEX ...;``). Boundaries are found with
    SQLite's own tokenizer (``sqlite3_complete``), so a ``;`` inside a string
    or a trigger body does not split; pieces that are only comments are dropped.
    """
    if ";" not in sql.rstrip(_SPACE)[:-1]:
        return [sql]
    statements: list[str] = []
    start = 0
    for end, char in enumerate(sql):
        if char == ";" and sqlite3.complete_statement(sql[start : end + 1]):
            statements.append(sql[start : end + 1])
            start = end + 1
    statements.append(sql[start:])
    return [s.strip(_SPACE) for s in statements if _COMMENTS.sub("", s).strip(_SPACE + ";")]


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _difference(
    expected: tuple[str, ...] | HashedResult, got: QueryResult, hash_threshold: int
) -> str:
    if isinstance(expected, HashedResult):
        return f"expected {expected}, got {got.hashed()}"
    shown = got.shown(hash_threshold)
    if shown != got.values:
        return f"expected {len(expected)} values {_clip(expected)}, got {shown[0]}"
    for index, (want, have) in enumerate(zip(expected, got.values, strict=False)):
        if want != have:
            return (
                f"value {index + 1} differs: expected {want!r}, got {have!r} "
                f"(expected {_clip(expected)}, got {_clip(got.values)})"
            )
    return f"expected {len(expected)} values {_clip(expected)}, got {len(got.values)} {_clip(got.values)}"


def _clip(values: Sequence[str], most: int = 8) -> str:
    head = ", ".join(values[:most])
    return f"[{head}, ...]" if len(values) > most else f"[{head}]"
