"""Running sqllogictest records against real sqlite3 connections."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from signoff.sql.slt_parser import (
    Halt,
    HashThreshold,
    Query,
    SltParseError,
    Statement,
    parse,
    parse_lenient,
)
from signoff.sql.slt_runner import (
    RecordOutcome,
    SltRunner,
    connect_sqlite,
    run_file,
    split_statements,
)

SETUP = """
statement ok
CREATE TABLE t1(a INTEGER, b TEXT, c REAL)

statement ok
INSERT INTO t1 VALUES(1, 'one', 1.5), (2, 'two', NULL), (3, '', 0.0625)
"""


def run(text: str, engine: str = "sqlite") -> tuple[list[RecordOutcome], SltRunner]:
    runner = SltRunner(connect_sqlite(), engine=engine, path="inline.test")
    records = parse_lenient(textwrap.dedent(SETUP) + textwrap.dedent(text), "inline.test")
    return list(runner.run_all(records)), runner


def test_a_passing_file() -> None:
    outcomes, runner = run(
        """
        query ITR rowsort
        SELECT a, b, c FROM t1
        ----
        1
        one
        1.500
        2
        two
        NULL
        3
        (empty)
        0.063

        query T valuesort
        SELECT b FROM t1
        ----
        (empty)
        one
        two

        statement error
        SELECT * FROM nowhere
        """
    )
    assert [o.status for o in outcomes] == ["ok"] * 5
    assert outcomes[2].got is not None and outcomes[2].got.values[:3] == ("1", "one", "1.500")
    assert outcomes[4].raised == "OperationalError: no such table: nowhere"
    summary = runner.summary()
    assert (summary.records, summary.ok, summary.ran, summary.passed) == (5, 5, 5, True)
    assert summary.path == "inline.test" and summary.seconds > 0


def test_a_wrong_result_is_a_mismatch_with_both_sides() -> None:
    (*_, outcome), runner = run(
        """
        query I nosort
        SELECT a FROM t1 ORDER BY a
        ----
        1
        2
        4
        """
    )
    assert outcome.status == "mismatch"
    assert outcome.got is not None and outcome.got.values == ("1", "2", "3")
    assert "value 3 differs: expected '4', got '3'" in outcome.message
    assert runner.summary().mismatch == 1


def test_hashed_expectations_compare_by_hash() -> None:
    digest = hashlib.md5(b"1\n10\n2\n3\n4\n5\n6\n7\n8\n9\n").hexdigest()
    query = f"""
        query I valuesort
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
        SELECT i FROM n
        ----
        10 values hashing to {digest}

        query I valuesort
        SELECT 1
        ----
        1 values hashing to {digest}
        """
    outcomes, _ = run(query)
    assert [o.status for o in outcomes[2:]] == ["ok", "mismatch"]
    one = hashlib.md5(b"1\n").hexdigest()
    assert outcomes[3].message == f"expected 1 values hashing to {digest}, got 1 values hashing to {one}"


def test_a_long_result_expected_as_values_shows_its_hash() -> None:
    outcomes, _ = run(
        """
        query I nosort
        SELECT t1.a FROM t1, t1 AS x, t1 AS y
        ----
        1
        """
    )
    assert outcomes[-1].status == "mismatch"
    assert "got 27 values hashing to" in outcomes[-1].message  # past the default threshold of 8


def test_statement_outcomes() -> None:
    outcomes, runner = run(
        """
        statement ok
        INSERT INTO nowhere VALUES(1)

        statement error
        INSERT INTO t1 VALUES(4, 'four', 4.0)

        statement ok
        INSERT INTO t1 VALUES(5, 'five', 5.0);
        DELETE FROM t1 WHERE a = 5;

        query I nosort
        SELECT count(*) FROM t1
        ----
        4
        """
    )
    failed, succeeded, several, count = outcomes[2:]
    assert (failed.status, failed.raised) == ("error", "OperationalError: no such table: nowhere")
    assert failed.message == failed.raised
    assert (succeeded.status, succeeded.raised) == ("error", None)
    assert "succeeded, but an error was expected" in succeeded.message
    assert several.status == "ok"  # both statements ran, as sqlite3_exec runs them
    assert count.status == "ok"
    assert runner.summary().error == 2


def test_query_errors_and_wrong_column_counts() -> None:
    outcomes, _ = run(
        """
        query I nosort
        SELECT nope FROM t1
        ----

        query II nosort
        SELECT a FROM t1 WHERE a = 1
        ----
        1
        """
    )
    raised, narrow = outcomes[2:]
    assert (raised.status, raised.raised) == ("error", "OperationalError: no such column: nope")
    assert narrow.status == "error"
    assert narrow.message == "wrong number of result columns: expected 2, got 1"


def test_labels_must_agree_within_a_file() -> None:
    outcomes, _ = run(
        """
        query I nosort label-1
        SELECT 1
        ----
        1

        query I nosort label-1
        SELECT 2 - 1
        ----
        1

        query I nosort label-1
        SELECT 2
        ----
        2
        """
    )
    assert [o.status for o in outcomes[2:]] == ["ok", "ok", "mismatch"]
    assert outcomes[4].message == "labeled result [label-1] does not agree with line 8"


def test_a_skipped_labeled_query_still_files_its_expected_result() -> None:
    # As in the reference driver: the variants of one label must agree.
    outcomes, _ = run(
        """
        onlyif mysql
        query I nosort label-9
        SELECT 7 DIV 2
        ----
        4

        skipif mysql
        query I nosort label-9
        SELECT 7 / 2
        ----
        3
        """
    )
    skipped, ran = outcomes[2:]
    assert skipped.status == "skipped"
    assert ran.status == "mismatch"
    assert "labeled result [label-9] does not agree with line 9" in ran.message


def test_guards_follow_the_engine_name() -> None:
    text = """
        onlyif mysql
        query I nosort
        SELECT 1
        ----
        1

        skipif sqlite
        statement ok
        SELECT 1
        """
    as_sqlite, _ = run(text)
    as_mysql, _ = run(text, engine="MySQL")
    assert [o.status for o in as_sqlite[2:]] == ["skipped", "skipped"]
    assert [o.status for o in as_mysql[2:]] == ["ok", "ok"]
    assert as_sqlite[2].message == "excluded for engine 'sqlite'"


def test_halt_stops_the_file_unless_a_guard_excludes_it() -> None:
    outcomes, runner = run(
        """
        onlyif mssql
        halt

        statement ok
        SELECT 1

        halt

        statement ok
        SELECT 2
        """
    )
    assert [o.record.line for o in outcomes] == [2, 5, 11]
    assert runner.halted and runner.halted_at == 14
    assert runner.summary().halted_at == 14
    assert runner.run(Statement("SELECT 3", True, 20)) is None  # nothing runs after a halt


def test_hash_threshold_changes_what_is_shown() -> None:
    outcomes, runner = run(
        """
        hash-threshold 2

        query I nosort
        SELECT a FROM t1
        ----
        9
        """
    )
    assert runner.hash_threshold == 2
    assert "got 3 values hashing to" in outcomes[-1].message


def test_a_broken_record_is_reported_and_the_rest_runs() -> None:
    outcomes, runner = run(
        """
        query I sideways
        SELECT 1

        query I nosort
        SELECT 1
        ----
        1
        """
    )
    broken, after = outcomes[2:]
    assert broken.status == "broken"
    assert broken.message == "inline.test:8: unknown sort mode 'sideways' (use nosort, rowsort or valuesort)"
    assert after.status == "ok"
    assert runner.summary().broken == 1


def test_records_run_one_at_a_time() -> None:
    runner = SltRunner(connect_sqlite())
    records = parse("hash-threshold 0\n\nstatement ok\nCREATE TABLE t(x)\n\nquery I\nSELECT 1\n----\n1\n")
    assert isinstance(records[0], HashThreshold)
    assert runner.run(records[0]) is None  # control records give no outcome
    assert runner.hash_threshold == 0
    first = runner.run(records[1])
    second = runner.run(records[2])
    assert first is not None and first.record == records[1] and first.status == "ok"
    assert second is not None and isinstance(second.record, Query) and second.line == 6
    assert runner.run(Halt(30)) is None and runner.halted


def test_outcomes_pickle_for_worker_processes() -> None:
    outcomes, _ = run("query IT rowsort\nSELECT a, b FROM t1\n----\n1\none\n2\ntwo\n3\n(empty)\n")
    copies = pickle.loads(pickle.dumps(outcomes))
    assert copies == outcomes


def test_run_file(tmp_path: Path) -> None:
    path = tmp_path / "small.test"
    path.write_text(textwrap.dedent(SETUP) + "\nquery I\nSELECT 2\n----\n3\n\nfrob\n")
    report = run_file(path, connect_sqlite())
    summary = report.summary
    assert (summary.records, summary.ok, summary.mismatch, summary.broken) == (4, 2, 1, 1)
    assert [o.status for o in report.failures] == ["mismatch", "broken"]
    assert summary.path == str(path)
    with pytest.raises(SltParseError, match=r"small\.test:13: unknown record type 'frob'"):
        run_file(path, connect_sqlite(), strict=True)


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        ("SELECT 1", ["SELECT 1"]),
        ("SELECT 1;", ["SELECT 1;"]),
        ("INSERT INTO t VALUES(';');", ["INSERT INTO t VALUES(';');"]),
        ("INSERT INTO t VALUES(1);\nDROP INDEX i;", ["INSERT INTO t VALUES(1);", "DROP INDEX i;"]),
        ("a; b", ["a;", "b"]),
        ("SELECT 1; -- done", ["SELECT 1;"]),
        (
            "CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM u; END;",
            ["CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM u; END;"],
        ),
    ],
)
def test_split_statements(sql: str, statements: list[str]) -> None:
    assert split_statements(sql) == statements


class ListCursor:
    """A minimal DB-API cursor over canned answers: the runner needs nothing more."""

    def __init__(self, answers: dict[str, list[tuple[object, ...]]]) -> None:
        self.answers = answers
        self.description: Sequence[object] | None = None
        self.rows: list[tuple[object, ...]] = []

    def execute(self, operation: str, /) -> object:
        if operation not in self.answers:
            raise RuntimeError(f"cannot run {operation!r}")
        self.rows = self.answers[operation]
        self.description = [("c",)] * len(self.rows[0]) if self.rows else None
        return self

    def fetchall(self) -> list[tuple[object, ...]]:
        return self.rows

    def close(self) -> None:
        pass


class ListConnection:
    def __init__(self, answers: dict[str, list[tuple[object, ...]]]) -> None:
        self.answers = answers

    def cursor(self) -> ListCursor:
        return ListCursor(self.answers)


def test_any_dbapi_connection_will_do() -> None:
    connection = ListConnection({"SELECT big": [(2**32 + 5, 1.5, "x")]})
    records = parse("query IRT\nSELECT big\n----\n5\n1.500\nx\n\nquery I\nSELECT other\n----\n1\n")
    outcomes = list(SltRunner(connection).run_all(records))
    assert [o.status for o in outcomes] == ["ok", "error"]
    assert outcomes[1].raised == "RuntimeError: cannot run 'SELECT other'"
    wide = SltRunner(connection, wrap_int32=False).run(records[0])
    assert wide is not None and wide.status == "mismatch"
    assert wide.got is not None and wide.got.values[0] == "4294967301"


def test_the_reference_connection_autocommits() -> None:
    connection = connect_sqlite()
    assert isinstance(connection, sqlite3.Connection) and connection.isolation_level is None
    outcomes = list(
        SltRunner(connection).run_all(parse("statement ok\nBEGIN\n\nstatement ok\nCOMMIT\n"))
    )
    assert [o.status for o in outcomes] == ["ok", "ok"]
