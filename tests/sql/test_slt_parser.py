"""The sqllogictest parser, on small inline files."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from signoff.errors import SpecError
from signoff.sql.slt_parser import (
    BrokenRecord,
    Guard,
    Halt,
    HashedResult,
    HashThreshold,
    Query,
    SltParseError,
    Statement,
    applies,
    load,
    load_lenient,
    parse,
    parse_lenient,
)


def slt(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_statements_ok_and_error() -> None:
    records = parse(
        slt(
            """
            statement ok
            CREATE TABLE t1(a INTEGER, b TEXT)

            statement error
            INSERT INTO nowhere
            VALUES(1)
            """
        )
    )
    assert records == [
        Statement("CREATE TABLE t1(a INTEGER, b TEXT)", True, 1),
        Statement("INSERT INTO nowhere\nVALUES(1)", False, 4),
    ]


def test_query_with_values_sort_and_label() -> None:
    (query,) = parse(
        slt(
            """
            query IT rowsort label-7
            SELECT a, b
              FROM t1
            ----
            1
            one
            NULL
            (empty)
            """
        )
    )
    assert query == Query(
        sql="SELECT a, b\n  FROM t1",
        types="IT",
        sort="rowsort",
        label="label-7",
        expected=("1", "one", "NULL", "(empty)"),
        line=1,
    )


def test_query_defaults_to_nosort_and_no_label() -> None:
    (query,) = parse("query I\nSELECT 1\n----\n1\n")
    assert isinstance(query, Query)
    assert (query.sort, query.label, query.expected) == ("nosort", None, ("1",))


def test_query_with_empty_result_and_without_separator() -> None:
    with_separator, without = parse("query I nosort\nSELECT 1 WHERE 0\n----\n\nquery I\nSELECT 2\n")
    assert isinstance(with_separator, Query) and isinstance(without, Query)
    assert with_separator.expected == () and without.expected == ()
    assert without.sql == "SELECT 2"


def test_hashed_result() -> None:
    (query,) = parse(
        "query III valuesort\nSELECT * FROM t1\n----\n"
        "30 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n"
    )
    assert isinstance(query, Query)
    assert query.expected == HashedResult(30, "3c13dee48d9356ae19af2515e05e6b54")
    assert str(query.expected) == "30 values hashing to 3c13dee48d9356ae19af2515e05e6b54"


def test_hash_threshold_and_halt() -> None:
    records = parse("hash-threshold 8\n\nhalt\n\nstatement ok\nSELECT 1\n")
    assert records[:2] == [HashThreshold(8, 1), Halt(3)]


def test_guards_attach_to_the_next_record() -> None:
    records = parse(
        slt(
            """
            skipif mysql # not compatible
            onlyif sqlite
            query I rowsort
            SELECT 1
            ----
            1

            onlyif mssql
            halt

            statement ok
            SELECT 2
            """
        )
    )
    assert records[0].guards == (Guard("skipif", "mysql"), Guard("onlyif", "sqlite"))
    assert records[0].line == 3  # the keyword's line, where the reference driver points
    assert records[1] == Halt(9, (Guard("onlyif", "mssql"),))
    assert records[2].guards == ()


def test_guards_decide_by_engine_name_ignoring_case() -> None:
    record = Statement("SELECT 1", True, 3, (Guard("skipif", "mysql"), Guard("onlyif", "SQLite")))
    assert applies(record, "sqlite")
    assert not applies(record, "MySQL")
    assert not applies(record, "postgresql")  # onlyif sqlite excludes it


def test_comments_are_dropped_anywhere_and_lines_still_count() -> None:
    records = parse(
        slt(
            """
            # a comment before
            statement ok
            # a comment inside the record does not end it
            CREATE TABLE t(x)

            query I nosort
            SELECT x FROM t
            ----
            # nor does one among the results
            """
        )
    )
    assert records == [
        Statement("CREATE TABLE t(x)", True, 2),
        Query("SELECT x FROM t", "I", "nosort", None, (), 6),
    ]


def test_blank_lines_of_spaces_and_crlf_line_ends() -> None:
    records = parse("statement ok\r\nSELECT 1\r\n   \t\r\nquery I\r\nSELECT 1\r\n----\r\n1\r\n")
    assert records == [Statement("SELECT 1", True, 1), Query("SELECT 1", "I", "nosort", None, ("1",), 4)]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("statement maybe\nSELECT 1\n", 1, "statement must be 'statement ok' or 'statement error'"),
        ("statement ok\n", 1, "statement has no SQL"),
        ("\n\nquery IX\nSELECT 1\n----\n1\n", 3, "unknown type letter 'X' in 'IX' (use I, T or R)"),
        ("query\nSELECT 1\n", 1, "query needs a type string, as in 'query IT rowsort'"),
        ("query I sorted\nSELECT 1\n", 1, "unknown sort mode 'sorted'"),
        ("query I\n----\n1\n", 1, "query has no SQL"),
        ("query I nosort label extra\nSELECT 1\n", 1, "unexpected 'extra' after"),
        ("selectt 1\n", 1, "unknown record type 'selectt'"),
        ("skipif\nstatement ok\nSELECT 1\n", 1, "skipif needs an engine name"),
        ("statement ok\nSELECT 1\n\nonlyif sqlite\n", 4, "onlyif sqlite guards no record"),
        ("hash-threshold eight\n", 1, "hash-threshold needs a whole number"),
        ("halt\nSELECT 1\n", 2, "unexpected line after 'halt'"),
        (
            "query I\nSELECT 1\n----\n3 values hashing to 12345\n",
            4,
            "malformed hash result '3 values hashing to 12345'",
        ),
        (
            "query I\nSELECT 1\n----\n1\n2 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n",
            5,
            "a hash result must be the only result line",
        ),
    ],
)
def test_parse_errors_name_the_file_and_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(SltParseError) as caught:
        parse(text, "cases/broken.test")
    error = caught.value
    assert isinstance(error, SpecError)
    assert (error.path, error.line) == ("cases/broken.test", line)
    assert problem in error.problem
    assert str(error).startswith(f"cases/broken.test:{line}: ")


def test_lenient_parse_keeps_going_past_broken_records() -> None:
    items = parse_lenient(
        slt(
            """
            statement ok
            CREATE TABLE t(x)

            onlyif mysql
            query IZ
            SELECT 1

            frobnicate
            the table

            query I
            SELECT 1
            ----
            1
            """
        ),
        "f.test",
    )
    assert [type(item) for item in items] == [Statement, BrokenRecord, BrokenRecord, Query]
    guarded, unknown = items[1], items[2]
    assert isinstance(guarded, BrokenRecord) and isinstance(unknown, BrokenRecord)
    assert guarded.guards == (Guard("onlyif", "mysql"),)  # so a runner can still skip it
    assert (guarded.line, unknown.line) == (5, 8)
    assert unknown.text == "frobnicate\nthe table"
    assert str(unknown.error) == "f.test:8: unknown record type 'frobnicate'"
    assert items[3].line == 11


def test_files_load_by_path_and_errors_name_them(tmp_path: Path) -> None:
    good = tmp_path / "good.test"
    good.write_text("statement ok\nSELECT 1\n")
    assert load(good) == [Statement("SELECT 1", True, 1)]
    bad = tmp_path / "bad.test"
    bad.write_bytes(b"statement ok\nSELECT 1\n\nquery T\nSELECT '\xff'\n")
    with pytest.raises(SltParseError, match=r"bad\.test:5: not UTF-8"):
        load_lenient(bad)


def test_records_and_errors_survive_pickling() -> None:
    records = parse_lenient("query I rowsort x\nSELECT 1\n----\n1\n\nnope\n", "p.test")
    assert pickle.loads(pickle.dumps(records)) == records
    error = SltParseError("p.test", 3, "unknown record type 'nope'")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.problem, str(copy)) == (
        "p.test",
        3,
        "unknown record type 'nope'",
        str(error),
    )
