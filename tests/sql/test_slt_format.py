"""Rendering values and results as SQLite's sqllogictest driver does.

The expected strings are SQLite's own (printf, sqlite3_column_int and
sqlite3_column_text), written out so that the tests do not depend on the
SQLite library at hand.
"""

from __future__ import annotations

import hashlib
import pickle
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signoff.sql.slt_format import (
    QueryResult,
    format_int,
    format_int64,
    format_real,
    format_result,
    format_text,
    formatter,
    md5_of,
)
from signoff.sql.slt_parser import HashedResult, SortMode


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "5"),
        (-2147483648, "-2147483648"),
        (2**32 + 5, "5"),  # sqlite3_column_int keeps the low 32 bits
        (2**31, "-2147483648"),
        (-(2**31) - 1, "2147483647"),
        (2.9, "2"),  # reals truncate toward zero
        (-2.9, "-2"),
        (1e30, "-1"),  # clamped to 2**63-1 first, whose low 32 bits are all ones
        (-1e30, "0"),
        ("12abc", "12"),  # text: the integer at its start
        (" \t-7x", "-7"),
        ("3e5", "3"),
        ("abc", "0"),
        ("", "0"),
        ("99999999999999999999", "-1"),
        (b"42", "42"),
        (None, "NULL"),
        (True, "1"),
        (Decimal("-3.7"), "-3"),
    ],
)
def test_integer_column(value: object, text: str) -> None:
    assert format_int(value) == text
    assert formatter("I")(value) == text


def test_integer_column_in_64_bits_on_request() -> None:
    assert format_int64(2**32 + 5) == "4294967301"
    assert format_int64(2**70) == str(2**63 - 1)
    assert formatter("I", wrap_int32=False)(-(2**40)) == str(-(2**40))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1.000"),
        (1.25, "1.250"),
        (0.0625, "0.063"),  # a binary tie rounds away from zero
        (-0.0625, "-0.063"),
        (2.0005, "2.001"),
        (7348.3965, "7348.396"),  # stored as 7348.39649999..., so it rounds down
        (-0.0, "0.000"),
        (-0.0001, "-0.000"),
        (-(2**63), "-9223372036854776000.000"),  # at most 16 significant digits, rounded
        (-1.8446744073709552e19, "-18446744073709550000.000"),
        (1e20, "100000000000000000000.000"),
        ("1.5e3xyz", "1500.000"),  # text: the number at its start
        ("abc", "0.000"),
        (float("inf"), "Inf"),
        (float("-inf"), "-Inf"),
        (None, "NULL"),
    ],
)
def test_real_column(value: object, text: str) -> None:
    assert format_real(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc def", "abc def"),
        ("", "(empty)"),
        ("\x00abc", "(empty)"),  # a C string ends at its first NUL
        ("ab\x00cd", "ab"),
        ("a\tb\x7f", "a@b@"),
        ("é", "@@"),  # one '@' per UTF-8 byte
        (b"\x01A", "@A"),
        (None, "NULL"),
        (42, "42"),
        (True, "1"),
        (1.0, "1.0"),  # reals as SQLite's %!.15g
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (1 / 3, "0.333333333333333"),
        (1e14, "100000000000000.0"),
        (1e15, "1.0e+15"),
        (1.5e20, "1.5e+20"),
        (0.0001, "0.0001"),
        (0.00001, "1.0e-05"),
        (-0.0, "0.0"),
        (123456789012345678.0, "1.23456789012346e+17"),
    ],
)
def test_text_column(value: object, text: str) -> None:
    assert format_text(value) == text


def test_unknown_type_letter() -> None:
    with pytest.raises(ValueError, match="unknown type letter 'X'"):
        formatter("X")


def test_md5_is_over_each_value_and_a_newline() -> None:
    assert md5_of(["1", "2"]) == hashlib.md5(b"1\n2\n").hexdigest()
    assert md5_of([]) == hashlib.md5(b"").hexdigest()


ROWS = [(10, "b"), (9, "a"), (10, "a"), (None, "")]


def test_nosort_keeps_the_engine_order() -> None:
    result = format_result(ROWS, "IT", "nosort")
    assert result.values == ("10", "b", "9", "a", "10", "a", "NULL", "(empty)")
    assert (result.columns, result.rows) == (2, 4)


def test_rowsort_compares_rows_as_strings_column_by_column() -> None:
    result = format_result(ROWS, "IT", "rowsort")
    assert result.values == ("10", "a", "10", "b", "9", "a", "NULL", "(empty)")


def test_valuesort_sorts_every_value() -> None:
    result = format_result(ROWS, "IT", "valuesort")
    assert result.values == ("(empty)", "10", "10", "9", "NULL", "a", "a", "b")


def test_fast_and_slow_paths_agree() -> None:
    # Whole columns of plain ints or printable text skip the per-value functions.
    plain = format_result([(1, "x"), (2, "y")], "IT", "nosort")
    mixed = format_result([(1, "x"), (2.0, "y\n")], "IT", "nosort")
    assert plain.values == ("1", "x", "2", "y")
    assert mixed.values == ("1", "x", "2", "y@")


def test_an_extra_column_is_text_and_ragged_rows_are_refused() -> None:
    assert format_result([(1, 2.5)], "I", "nosort").values == ("1", "2.5")
    with pytest.raises(ValueError):
        format_result([(1, 2), (3,)], "II", "nosort")


def test_query_result_hash_match_and_display() -> None:
    result = format_result([(i,) for i in range(1, 11)], "I", "valuesort")
    digest = hashlib.md5(b"1\n10\n2\n3\n4\n5\n6\n7\n8\n9\n").hexdigest()
    assert result.md5 == digest
    assert result.hashed() == HashedResult(10, digest)
    assert result.matches(HashedResult(10, digest))
    assert not result.matches(HashedResult(11, digest))
    assert result.matches(result.values)
    assert result.shown(8) == (f"10 values hashing to {digest}",)
    assert result.shown(0) == result.values  # 0: never hash
    assert result.shown(10) == result.values


def test_query_results_compare_by_values_and_pickle() -> None:
    a = QueryResult(("1", "2"), 1)
    assert a == QueryResult(("1", "2"), 1) != QueryResult(("2", "1"), 1)
    assert pickle.loads(pickle.dumps(a)) == a
    assert pickle.loads(pickle.dumps(a)).md5 == a.md5


values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=5),
)


@given(
    rows=st.lists(st.tuples(values, values), max_size=12),
    types=st.sampled_from(["II", "IT", "TR", "RR"]),
    sort=st.sampled_from(["rowsort", "valuesort"]),
    seed=st.randoms(),
)
def test_sorted_results_do_not_depend_on_row_order(
    rows: list[tuple[object, object]], types: str, sort: SortMode, seed: random.Random
) -> None:
    shuffled = rows[:]
    seed.shuffle(shuffled)
    result = format_result(rows, types, sort)
    assert result == format_result(shuffled, types, sort)
    assert len(result.values) == 2 * len(rows)
    assert all(v.isascii() and v.isprintable() and v for v in result.values)
