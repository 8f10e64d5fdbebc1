"""Comparing a candidate engine with the reference, record by record."""

from __future__ import annotations

import pickle
import sqlite3
import textwrap

import pytest

from signoff.sql.slt_compare import Agreement, agree, compare_engines
from signoff.sql.slt_parser import Statement, parse, parse_lenient
from signoff.sql.slt_runner import RecordOutcome, SltRunner, connect_sqlite

FILE = textwrap.dedent(
    """
    statement ok
    CREATE TABLE t1(a INTEGER, b INTEGER)

    statement ok
    INSERT INTO t1 VALUES(-3, 1), (2, -5), (7, 0)

    statement ok
    CREATE INDEX t1a ON t1(a)

    query I rowsort
    SELECT abs(a) FROM t1
    ----
    2
    3
    7

    query II nosort
    SELECT a, b FROM t1 ORDER BY b
    ----
    2
    -5
    7
    0
    -3
    1

    statement error
    SELECT * FROM nowhere

    onlyif mysql
    query I nosort
    SELECT 1 DIV 0
    ----
    NULL

    query X
    SELECT 1
    """
)


def broken_abs() -> sqlite3.Connection:
    """A flawed candidate: its abs() is the identity."""
    connection = connect_sqlite()
    connection.create_function("abs", 1, lambda x: x, deterministic=True)
    return connection


def no_drop_or_index() -> sqlite3.Connection:
    """A flawed candidate: it refuses to create indexes."""
    connection = connect_sqlite()

    def authorizer(action: int, *_: object) -> int:
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_CREATE_INDEX else sqlite3.SQLITE_OK

    connection.set_authorizer(authorizer)
    return connection


def test_the_reference_agrees_with_itself() -> None:
    agreements = list(compare_engines(parse_lenient(FILE), connect_sqlite(), connect_sqlite()))
    assert len(agreements) == 8
    assert all(a.same for a in agreements)
    assert [a.reference.status for a in agreements] == ["ok"] * 6 + ["skipped", "broken"]


def test_a_different_result_is_found_with_both_results() -> None:
    agreements = list(compare_engines(parse_lenient(FILE), connect_sqlite(), broken_abs()))
    different = [a for a in agreements if not a.same]
    assert [a.line for a in different] == [11]
    (found,) = different
    assert found.candidate.status == "mismatch"  # and each side is also judged against the file
    assert found.reference.status == "ok"
    assert found.difference == (
        "results differ: reference [2, 3, 7], candidate [-3, 2, 7]; "
        "first difference at value 1: '2' vs '-3'"
    )


def test_an_error_on_one_side_only_is_a_difference() -> None:
    agreements = list(compare_engines(parse_lenient(FILE), connect_sqlite(), no_drop_or_index()))
    different = [a for a in agreements if not a.same]
    assert [a.line for a in different] == [8]
    assert different[0].difference == (
        "reference succeeded, candidate raised DatabaseError: not authorized"
    )


def test_both_raising_is_the_same_behaviour() -> None:
    # Messages may differ; raising where the reference raises is what counts.
    statement = Statement("SELECT * FROM nowhere", False, 3)
    ours = RecordOutcome(statement, "ok", raised="OperationalError: no such table: nowhere")
    theirs = RecordOutcome(statement, "ok", raised="Error: table nowhere not found")
    assert agree(ours, theirs).same


def test_outcomes_from_separate_runners_and_processes() -> None:
    records = parse(FILE.replace("query X\nSELECT 1\n", ""))
    reference, candidate = SltRunner(connect_sqlite()), SltRunner(broken_abs())
    for record in records:
        ours, theirs = reference.run(record), candidate.run(record)
        assert (ours is None) == (theirs is None)
        if ours is not None and theirs is not None:
            shipped = pickle.loads(pickle.dumps(theirs))  # as a worker would send it
            agreement = agree(ours, shipped)
            assert isinstance(agreement, Agreement)
            assert agreement.same == (record.line != 11)


def test_outcomes_of_different_records_are_refused() -> None:
    a = RecordOutcome(Statement("SELECT 1", True, 1), "ok")
    b = RecordOutcome(Statement("SELECT 1", True, 2), "ok")
    with pytest.raises(ValueError, match="different records"):
        agree(a, b)
