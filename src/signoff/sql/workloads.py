"""The work behind each performance invariant, as it runs in a worker on one engine.

Each workload owns a database file (some share one), builds its tables in
``setup(size)`` (sizes only grow: a scaling workload adds rows to reach the
next size), and does one unit of work in ``run``: that is what is timed. The
SQL is the same on every engine and goes through the DB-API as an
application's would: one cursor, the same SQL text with parameters, so a
driver's statement cache (SQLite's "prepared once") is used where there is
one. Every database gets ``journal_mode=WAL``, ``synchronous=NORMAL`` (no
sync at each commit: a sync per commit then shows) and a 256 MiB page cache
(a million rows stay in memory); a setting an engine refuses is noted.

Rows are made by SQL (a recursive CTE; ``range`` on duckdb), falling back to
``executemany`` in one transaction. Values are chosen to be exact on every
engine (``x * 0.5`` is exact even as a 32-bit REAL).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.sql.engines import Connection, Cursor

LOOKUPS = 100  # lookups (or statements) per unit of work
STRIDE = 7919  # a prime: keys k*STRIDE mod n visit the table in a scattered order
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-262144")
# Databases kept in memory (tmpfs) where the machine has it: their invariants
# judge the engine's work on rows and schemas, and on a busy machine other
# processes' disk traffic stalls every writer for 5-20 ms now and then
# (writeback throttling), which is not the engine's cost. The inserts' database
# stays on disk: a sync per commit is what insert_autocommit is there to show.
# All are small (10,000 rows, or 500 empty tables).
IN_MEMORY = frozenset({"update", "delete", "schema_small", "schema_large"})
_SERIES = "WITH RECURSIVE c(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x FROM c"
_DUCKDB_SERIES = "SELECT range AS x FROM range(CAST(? AS BIGINT), CAST(? AS BIGINT) + 1)"


class Database:
    """One database file on the worker's engine, with the state the workloads keep."""

    def __init__(self, name: str, connection: Connection) -> None:
        self.name = name
        self.connection = connection
        self.cursor: Cursor = connection.cursor()
        self.rows: dict[str, int] = {}  # rows built per table
        self.notes: list[str] = []
        self.legacy = False  # the connection opens transactions implicitly: commit after writes
        self.counter = 0  # ids for inserted rows, unique SQL texts
        for pragma in PRAGMAS:
            try:
                self.query(pragma)
            except Exception as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                self.notes.append(f"{pragma} refused: {type(error).__name__}: {first[:120]}")

    def query(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        cursor = self.cursor
        cursor.execute(sql, tuple(parameters))
        if not cursor.description:
            return []
        return [tuple(row) for row in cursor.fetchall()]

    def autocommitted(self) -> None:
        """After a statement outside BEGIN...COMMIT: commit if the driver opened a transaction."""
        if getattr(self.connection, "in_transaction", False):
            self.legacy = True
            self.connection.commit()

    def fill(self, table: Table, last: int) -> None:
        """Add rows ``rows[table]+1 .. last`` to ``table``, in one transaction."""
        first = self.rows.get(table.name, 0) + 1
        if last < first:
            return
        self.query("BEGIN")
        try:
            series = _DUCKDB_SERIES if os.environ.get("SIGNOFF_SQL_ENGINE") == "duckdb" else _SERIES
            sql = f"INSERT INTO {table.name}({table.columns}) SELECT {table.exprs} FROM ({series}) AS s"
            try:
                self.query(sql, (first, last))
            except Exception:
                self.cursor.executemany(  # type: ignore[attr-defined]
                    table.insert, [table.row(x) for x in range(first, last + 1)])
            self.query("COMMIT")
        except BaseException:
            try:
                self.query("ROLLBACK")
            except Exception:
                pass
            raise
        self.rows[table.name] = last

    def create(self, table: Table) -> None:
        if table.name not in self.rows:
            self.query(table.create)
            self.autocommitted()
            for index in table.indexes:
                self.query(index)
                self.autocommitted()
            self.rows[table.name] = 0


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    create: str
    columns: str
    exprs: str  # the columns' values as SQL over x, the row number
    row: Callable[[int], tuple[object, ...]]  # the same in Python, for executemany
    indexes: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return self.columns.count(",") + 1

    @property
    def insert(self) -> str:
        return f"INSERT INTO {self.name}({self.columns}) VALUES ({', '.join('?' * self.width)})"


TEST = Table("test", "CREATE TABLE test(id INTEGER PRIMARY KEY, name TEXT, value REAL)",
             "id, name, value", "x, 'name' || x, x * 0.5", lambda x: (x, f"name{x}", x * 0.5))
ITEMS = Table("items", "CREATE TABLE items(id INTEGER PRIMARY KEY, key INTEGER, value REAL)",
              "id, key, value", "x, x * 7, x * 0.5", lambda x: (x, x * 7, x * 0.5),
              ("CREATE INDEX items_key ON items(key)",))
CUSTOMERS = Table("customers", "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)",
                  "id, name", "x, 'customer' || x", lambda x: (x, f"customer{x}"))
ORDERS = Table("orders", "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount REAL)",
               "id, customer, amount", "x, x % 1000 + 1, x * 0.5", lambda x: (x, x % 1000 + 1, x * 0.5),
               ("CREATE INDEX orders_customer ON orders(customer)",))
LOG = Table("log", "CREATE TABLE log(id INTEGER PRIMARY KEY, name TEXT, value REAL)",
            "id, name, value", "x, 'name' || x, x * 0.5", lambda x: (x, f"name{x}", x * 0.5))


def spread(size: int, count: int = LOOKUPS) -> list[int]:
    """``count`` row numbers in 1..size, scattered over the table."""
    return [1 + (k * STRIDE) % size for k in range(count)]


@dataclass
class Workload:
    name: str
    database: str
    tables: tuple[Table, ...]
    plan_sql: str | None = None
    plan_parameters: tuple[object, ...] = ()
    keys: dict[int, list[int]] = field(default_factory=dict)

    def setup(self, db: Database, size: int) -> list[str]:
        for table in self.tables:
            db.create(table)
            db.fill(table, self.rows(table, size))
        return list(db.notes)

    def rows(self, table: Table, size: int) -> int:
        return size

    def spread(self, size: int) -> list[int]:
        keys = self.keys.get(size)
        if keys is None:
            keys = self.keys[size] = spread(size)
        return keys

    def run(self, db: Database, size: int) -> None:
        raise NotImplementedError

    def answer(self, db: Database, size: int) -> object:
        return [db.query(f"SELECT count(*), sum(id) FROM {table.name}") for table in self.tables]

    def plan(self, db: Database) -> list[str] | str | None:
        if self.plan_sql is None:
            return None
        try:
            rows = db.query("EXPLAIN QUERY PLAN " + self.plan_sql, self.plan_parameters)
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:300]}"
        return [str(row[-1]) for row in rows]


@dataclass
class Lookups(Workload):
    """``LOOKUPS`` point queries, one row each, by a key spread over the table."""

    query: str = ""
    scale: int = 1  # the key of row x is x * scale

    def run(self, db: Database, size: int) -> None:
        cursor, query, scale = db.cursor, self.query, self.scale
        for x in self.spread(size):
            cursor.execute(query, (x * scale,))
            cursor.fetchall()

    def answer(self, db: Database, size: int) -> object:
        return [db.query(self.query, (x * self.scale,)) for x in self.spread(size)]


@dataclass
class Fresh(Lookups):
    """Like ``Lookups`` but every statement's text is new, so each must be prepared."""

    def run(self, db: Database, size: int) -> None:
        cursor = db.cursor
        for key in self.spread(size):
            db.counter += 1
            cursor.execute(f"{self.query} /* {db.counter} */", (key,))
            cursor.fetchall()


@dataclass
class Inserts(Workload):
    """``LOOKUPS`` single-row inserts, each committed on its own or all in one transaction."""

    transaction: bool = False
    table: Table = LOG

    def run(self, db: Database, size: int) -> None:
        cursor = db.cursor
        sql = self.table.insert
        first = max(db.counter, db.rows.get(self.table.name, 0)) + 1
        db.counter = first + LOOKUPS - 1
        if self.transaction:
            cursor.execute("BEGIN")
        for x in range(first, first + LOOKUPS):
            cursor.execute(sql, self.table.row(x))
            if db.legacy and not self.transaction:
                db.connection.commit()
        if self.transaction:
            cursor.execute("COMMIT")
        elif not db.legacy:
            db.autocommitted()

    def answer(self, db: Database, size: int) -> object:
        """One unit of work, then the rows it added, as the engine reads them back."""
        self.run(db, size)
        last = db.counter
        return db.query(f"SELECT count(*), sum(id) - {LOOKUPS} * min(id) FROM {self.table.name} "
                        f"WHERE id > ?", (last - LOOKUPS,))


@dataclass
class Schema(Inserts):
    """Autocommitted inserts into one table of a schema of ``size`` tables."""

    def setup(self, db: Database, size: int) -> list[str]:
        db.create(LOG)
        if "extra" not in db.rows:
            db.query("BEGIN")
            for n in range(1, size):
                db.query(f"CREATE TABLE extra{n}(id INTEGER PRIMARY KEY, a TEXT, b REAL, c INTEGER)")
                db.query(f"CREATE INDEX extra{n}_c ON extra{n}(c)")
            db.query("COMMIT")
            db.rows["extra"] = size
        return list(db.notes)

    def answer(self, db: Database, size: int) -> object:
        return [super().answer(db, size), db.rows.get("extra")]


@dataclass
class Writes(Workload):
    """In one transaction: ``LOOKUPS`` updates by primary key, or deletes put back."""

    delete: bool = False

    def run(self, db: Database, size: int) -> None:
        cursor = db.cursor
        ids = self.spread(size)
        cursor.execute("BEGIN")
        if self.delete:
            for x in ids:
                cursor.execute("DELETE FROM test WHERE id = ?", (x,))
            for x in ids:
                cursor.execute("INSERT INTO test(id, name, value) VALUES (?, ?, ?)", TEST.row(x))
        else:
            for x in ids:
                cursor.execute("UPDATE test SET value = value + 1 WHERE id = ?", (x,))
        cursor.execute("COMMIT")


@dataclass
class Scans(Lookups):
    """Ten range queries of 100 consecutive primary keys each."""

    def spread(self, size: int) -> list[int]:
        return [1 + (k * STRIDE) % max(1, size - 100) for k in range(10)]

    def run(self, db: Database, size: int) -> None:
        cursor, query = db.cursor, self.query
        for first in self.spread(size):
            cursor.execute(query, (first, first + 99))
            cursor.fetchall()

    def answer(self, db: Database, size: int) -> object:
        return [db.query(self.query, (first, first + 99)) for first in self.spread(size)]


@dataclass
class Join(Lookups):
    """Twenty customers, each joined with its orders through the index on orders(customer)."""

    def rows(self, table: Table, size: int) -> int:
        return 1000 if table is CUSTOMERS else size

    def spread(self, size: int) -> list[int]:
        return [1 + (k * STRIDE) % 1000 for k in range(20)]


_PK = "SELECT id, name, value FROM test WHERE id = ?"
_KEY = "SELECT id, key, value FROM items WHERE key = ?"
_RANGE = "SELECT id, name, value FROM test WHERE id BETWEEN ? AND ?"
_JOIN = ("SELECT c.name, o.id, o.amount FROM customers AS c JOIN orders AS o ON o.customer = c.id "
         "WHERE c.id = ?")

WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Lookups("pk_lookup", "pk_lookup", (TEST,), _PK, (1,), query=_PK),
    Lookups("pk_lookup_scaling", "pk_scaling", (TEST,), _PK, (1,), query=_PK),
    Lookups("index_lookup_scaling", "index_scaling", (ITEMS,), _KEY, (7,), query=_KEY, scale=7),
    Lookups("prepared_reuse", "prepared", (TEST,), _PK, (1,), query=_PK),
    Fresh("prepared_fresh", "prepared", (TEST,), _PK, (1,), query=_PK),
    Inserts("insert_autocommit", "inserts", (LOG,)),
    Inserts("insert_transaction", "inserts", (LOG,), transaction=True),
    Schema("commit_small_schema", "schema_small", ()),
    Schema("commit_large_schema", "schema_large", ()),
    Writes("update_by_pk", "update", (TEST,), "UPDATE test SET value = value + 1 WHERE id = ?", (1,)),
    Writes("delete_by_pk", "delete", (TEST,), "DELETE FROM test WHERE id = ?", (1,), delete=True),
    Scans("range_scan", "range", (TEST,), _RANGE, (1, 100), query=_RANGE),
    Join("indexed_join", "join", (CUSTOMERS, ORDERS), _JOIN, (1,), query=_JOIN),
)}


def get(name: str) -> Workload:
    try:
        return WORKLOADS[name]
    except KeyError:
        raise ValueError(f"unknown workload {name!r}") from None
