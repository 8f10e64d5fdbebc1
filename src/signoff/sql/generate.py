"""Hypothesis strategies for SQL: schemas, rows and queries, as plain SQL text.

A ``Database`` is a few tables (``t0``, ``t1``, ...; columns ``c0``, ``c1``,
...) with declared types that SQLite treats as affinities (INTEGER, REAL,
TEXT, BLOB or none), sometimes an ``INTEGER PRIMARY KEY`` (the rowid path),
sometimes indexes, and a few rows of mixed values: NULLs, small and extreme
integers, reals, short strings and blobs, drawn from small pools so that
duplicates and ties are common. Queries join up to two tables, filter with
nested expressions (comparisons, arithmetic, ``IS NULL``, ``BETWEEN``,
``IN``, ``CASE``, scalar and ``EXISTS`` subqueries), aggregate, group, apply
``HAVING``, ``DISTINCT``, ``ORDER BY`` and ``LIMIT``.

Every choice lists its simplest option first and every list is as short as
it may be (rows and indexes may be none), so Hypothesis shrinks a failing
script towards one table, one column, no rows and a bare ``SELECT``: what is
left is what the difference needs.

Results that SQL leaves unordered are compared as multisets; a query with
``LIMIT`` orders by every output column, so that the rows it keeps are
decided by the data, up to values SQLite holds equal (2 and 2.0), which the
comparison holds equal too (``Query.ordered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

TYPES = ("INTEGER", "TEXT", "REAL", "", "BLOB")
INTEGERS = (0, 1, -1, 2, 3, -7, 10, 2147483647, -2147483648, 9223372036854775807, -9223372036854775808)
REALS = (0.5, 0.0, -1.5, 2.0, 1e20, -0.25, 3.14159)
TEXTS = ("a", "", "b", "A", "1", "ab", " a", "0.5", "-1")
BLOBS = (b"", b"\x00", b"a", b"\xff\x01")
ARITHMETIC = ("+", "-", "*", "/", "%", "||")
COMPARISONS = ("=", "<", ">", "<=", ">=", "<>", "IS", "IS NOT")
FUNCTIONS_1 = ("abs", "length", "typeof", "upper", "lower", "quote")
# No SUM: whether an integer SUM overflows (an error) depends on the order it
# adds in, which is the query plan's choice, so two right engines may differ.
# TOTAL and AVG add as reals and never raise.
AGGREGATES = ("COUNT", "MIN", "MAX", "TOTAL", "AVG")
JOINS = ("JOIN", "LEFT JOIN", "CROSS JOIN")
MAX_TABLES = 3
MAX_COLUMNS = 3
MAX_ROWS = 6
DEPTH = 2  # nesting of expressions: enough for (a + b) < c AND d IS NULL


@dataclass(frozen=True)
class Table:
    name: str
    types: tuple[str, ...]  # one declared type per column, c0, c1, ...
    rowid_key: bool  # c0 is INTEGER PRIMARY KEY

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f"{self.name}.c{i}" for i in range(len(self.types)))

    def create(self) -> str:
        parts = [f"c{i} {kind}".rstrip() for i, kind in enumerate(self.types)]
        if self.rowid_key:
            parts[0] = "c0 INTEGER PRIMARY KEY"
        return f"CREATE TABLE {self.name}({', '.join(parts)})"


@dataclass(frozen=True)
class Database:
    tables: tuple[Table, ...]
    statements: tuple[str, ...]  # CREATE TABLE, INSERT and CREATE INDEX, in order


@dataclass(frozen=True)
class Query:
    sql: str
    ordered: bool  # True: compare rows in order; False: as a multiset


@dataclass(frozen=True)
class Script:
    """A database and one query on it."""

    database: Database
    query: Query

    @property
    def statements(self) -> list[str]:
        return [*self.database.statements, self.query.sql]


def literal(value: object) -> str:
    """``value`` as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "X'" + value.hex().upper() + "'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@cache
def values() -> SearchStrategy[object]:
    return st.one_of(st.none(), st.sampled_from(INTEGERS), st.sampled_from(TEXTS),
                     st.sampled_from(REALS), st.sampled_from(BLOBS))


@cache
def literals() -> SearchStrategy[str]:
    return values().map(literal)


@st.composite
def databases(draw: st.DrawFn) -> Database:
    """One to three tables with rows and maybe indexes, as statements."""
    count = draw(st.integers(1, MAX_TABLES))
    tables: list[Table] = []
    statements: list[str] = []
    for number in range(count):
        types = tuple(draw(_TYPE_LISTS))
        table = Table(f"t{number}", types, rowid_key=types[0] == "INTEGER" and draw(st.booleans()))
        tables.append(table)
        statements.append(table.create())
        rows = draw(_rows(len(types)))
        if table.rowid_key:  # a repeated key is a constraint error on both sides: it tests nothing
            keys = draw(_unique_keys(len(rows)))
            rows = [(key, *row[1:]) for key, row in zip(keys, rows, strict=True)]
        statements.extend(f"INSERT INTO {table.name} VALUES ({', '.join(map(literal, row))})" for row in rows)
    for number, table in enumerate(tables):
        for index in range(draw(st.integers(0, 2))):
            columns = draw(_index_columns(len(table.types)))
            # Plain indexes only: a UNIQUE one could reject the rows. They change plans, not answers.
            statements.append(f"CREATE INDEX i{number}_{index} ON {table.name}"
                              f"({', '.join(f'c{c}' for c in columns)})")
    return Database(tuple(tables), tuple(statements))


# The strategies below are built once: building and validating them for every
# draw cost more than the drawing.
_TYPE_LISTS = st.lists(st.sampled_from(TYPES), min_size=1, max_size=MAX_COLUMNS)


@cache
def _rows(width: int) -> SearchStrategy[list[tuple[object, ...]]]:
    return st.lists(st.tuples(*(values() for _ in range(width))), max_size=MAX_ROWS)


@cache
def _unique_keys(count: int) -> SearchStrategy[list[int]]:
    keys = st.integers(-3, 20) | st.sampled_from(INTEGERS)
    return st.lists(keys, min_size=count, max_size=count, unique=True)


@cache
def _index_columns(width: int) -> SearchStrategy[list[int]]:
    return st.lists(st.integers(0, width - 1), min_size=1, max_size=2, unique=True)


# Cached, and keyed by names only (not types), so that most draws reuse one.
@cache
def expressions(columns: tuple[str, ...], tables: tuple[tuple[str, int], ...],
                depth: int = DEPTH) -> SearchStrategy[str]:
    """Scalar expressions over ``columns`` (qualified names) and literals.

    Subqueries read ``tables``, given as (name, number of columns).
    """
    return _expression(columns, tables, depth)


@st.composite
def _expression(draw: st.DrawFn, columns: tuple[str, ...], tables: tuple[tuple[str, int], ...],
                depth: int) -> str:
    # A composite only for its short repr: Hypothesis prints strategies while
    # shrinking, and the nested forms' own repr runs to tens of kilobytes.
    return draw(_forms(columns, tables, depth))


@cache
def _forms(columns: tuple[str, ...], tables: tuple[tuple[str, int], ...], depth: int) -> SearchStrategy[str]:
    leaf = st.sampled_from(columns) | literals()
    if depth == 0:
        return leaf
    inner = expressions(columns, tables, depth - 1)
    binary = st.tuples(inner, st.sampled_from(ARITHMETIC + COMPARISONS + ("AND", "OR")), inner)
    forms = [
        leaf,
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"(NOT {e})"),
        inner.map(lambda e: f"({e} IS NULL)"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} BETWEEN {t[1]} AND {t[2]})"),
        st.tuples(inner, st.lists(literals(), min_size=1, max_size=3)).map(
            lambda t: f"({t[0]} IN ({', '.join(t[1])}))"),
        st.tuples(inner, inner, inner).map(lambda t: f"(CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END)"),
        st.tuples(st.sampled_from(FUNCTIONS_1), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
    ]
    if tables:  # a subquery's own filter has none, so subqueries nest one level
        forms.append(subqueries(columns, tables))
    return st.one_of(*forms)


@st.composite
def subqueries(draw: st.DrawFn, outer: tuple[str, ...], tables: tuple[tuple[str, int], ...]) -> str:
    """A scalar, ``IN`` or ``EXISTS`` subquery on one table; its filter may read the outer row."""
    name, width = draw(st.sampled_from(tables))
    inner_columns = tuple(f"s.c{i}" for i in range(width))
    column = draw(st.sampled_from(inner_columns))
    condition = draw(expressions(inner_columns + outer, (), depth=1))
    source = f"FROM {name} AS s WHERE {condition}"
    form = draw(st.sampled_from(("max", "in", "exists")))
    if form == "max":
        return f"(SELECT max({column}) {source})"
    if form == "in":
        probe = draw(st.sampled_from(outer) | literals())
        return f"({probe} IN (SELECT {column} {source}))"
    return f"(EXISTS (SELECT 1 {source}))"


@st.composite
def sources(draw: st.DrawFn, database: Database) -> tuple[str, tuple[str, ...]]:
    """A FROM clause over one table or a join of two, and the columns it makes visible."""
    first = draw(st.sampled_from(database.tables))
    others = [t for t in database.tables if t is not first]
    if not others or not draw(st.booleans()):
        return first.name, first.columns
    second = draw(st.sampled_from(others))
    columns = first.columns + second.columns
    join = draw(st.sampled_from(JOINS))
    if join == "CROSS JOIN":
        return f"{first.name} CROSS JOIN {second.name}", columns
    condition = draw(expressions(columns, (), depth=1))
    return f"{first.name} {join} {second.name} ON {condition}", columns


@st.composite
def queries(draw: st.DrawFn, database: Database) -> Query:
    """A SELECT on ``database``: plain, aggregate, or grouped."""
    source, columns = draw(sources(database))
    scalar = expressions(columns, tuple((t.name, len(t.types)) for t in database.tables))
    where = draw(st.none() | scalar)
    where_sql = f" WHERE {where}" if where is not None else ""
    form = draw(st.sampled_from(("plain", "aggregate", "grouped")))
    if form == "aggregate":
        outputs = draw(st.lists(aggregates(scalar), min_size=1, max_size=3))
        return Query(f"SELECT {', '.join(outputs)} FROM {source}{where_sql}", ordered=False)
    if form == "grouped":
        keys = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=2, unique=True))
        outputs = [*keys, *draw(st.lists(aggregates(scalar), min_size=1, max_size=2))]
        having = draw(st.none() | st.tuples(aggregates(scalar), st.sampled_from(COMPARISONS), literals()))
        having_sql = f" HAVING {having[0]} {having[1]} {having[2]}" if having else ""
        return Query(f"SELECT {', '.join(outputs)} FROM {source}{where_sql} GROUP BY {', '.join(keys)}"
                     f"{having_sql}", ordered=False)
    outputs = draw(st.lists(scalar, min_size=1, max_size=3))
    distinct = "DISTINCT " if draw(st.booleans()) else ""
    sql = f"SELECT {distinct}{', '.join(outputs)} FROM {source}{where_sql}"
    limit = draw(st.none() | st.integers(0, 4))
    if limit is None:
        return Query(sql, ordered=False)
    # Ordering by every output column leaves ties only between equal rows, so
    # the rows LIMIT keeps depend on the data alone (2 or 2.0 alike: equal).
    order = ", ".join(str(i + 1) for i in range(len(outputs)))
    offset = draw(st.integers(0, 2))
    return Query(f"{sql} ORDER BY {order} LIMIT {limit}" + (f" OFFSET {offset}" if offset else ""),
                 ordered=True)


@cache
def aggregates(scalar: SearchStrategy[str]) -> SearchStrategy[str]:
    return st.one_of(
        st.just("COUNT(*)"),
        st.tuples(st.sampled_from(AGGREGATES), scalar).map(lambda t: f"{t[0]}({t[1]})"),
    )


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    """A database and a query on it: the unit of the generated differential check."""
    database = draw(databases())
    return Script(database, draw(queries(database)))
