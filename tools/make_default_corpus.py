"""Write signoff's own small sqllogictest corpus, the default of ``signoff sql``.

    .venv/bin/python tools/make_default_corpus.py

The records are written here (not copied from SQLite's corpus); their
expected results are what Python's sqlite3 answers, rendered as SQLite's
sqllogictest driver renders them (``signoff.sql.slt_format``). A candidate
engine that claims to replace SQLite must give the same answers. Run it again
after changing a record; the output is ``src/signoff/sql/corpus_data/basics.test``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from signoff.sql.slt_format import format_result

OUT = Path(__file__).resolve().parents[1] / "src" / "signoff" / "sql" / "corpus_data" / "basics.test"

# (kind, sql): kind is "ok", "error", or "query TYPES SORT".
RECORDS: list[tuple[str, str]] = [
    ("ok", "CREATE TABLE t1(a INTEGER PRIMARY KEY, b INTEGER, c TEXT, d REAL)"),
    ("ok", "INSERT INTO t1 VALUES(1, 10, 'one', 1.5)"),
    ("ok", "INSERT INTO t1 VALUES(2, 20, 'two', 2.25)"),
    ("ok", "INSERT INTO t1 VALUES(3, NULL, 'three', NULL)"),
    ("ok", "INSERT INTO t1 VALUES(4, 40, NULL, -0.5)"),
    ("ok", "INSERT INTO t1(b, c, d) VALUES(50, 'five', 5.0)"),
    ("error", "INSERT INTO t1 VALUES(1, 0, 'dup', 0.0)"),
    ("error", "SELECT * FROM no_such_table"),
    ("query IITR nosort", "SELECT a, b, c, d FROM t1 ORDER BY a"),
    ("query I nosort", "SELECT rowid FROM t1 WHERE a = 5"),
    ("query I nosort", "SELECT count(*) FROM t1"),
    ("query I nosort", "SELECT count(b) FROM t1"),
    ("query II nosort", "SELECT sum(b), max(b) - min(b) FROM t1"),
    ("query R nosort", "SELECT avg(b) FROM t1"),
    ("query R nosort", "SELECT total(d) FROM t1"),
    ("query I nosort", "SELECT sum(b) FROM t1 WHERE b > 1000"),
    ("query R nosort", "SELECT total(b) FROM t1 WHERE b > 1000"),
    ("query T nosort", "SELECT c FROM t1 WHERE b IS NULL"),
    ("query I rowsort", "SELECT a FROM t1 WHERE c IS NULL OR d IS NULL"),
    ("query I nosort", "SELECT a FROM t1 WHERE b BETWEEN 15 AND 45 ORDER BY a DESC"),
    ("query T rowsort", "SELECT c FROM t1 WHERE c LIKE 't%'"),
    ("query T rowsort", "SELECT c FROM t1 WHERE c GLOB '*e'"),
    ("query I nosort", "SELECT b FROM t1 ORDER BY b LIMIT 2 OFFSET 1"),
    ("query I nosort", "SELECT b FROM t1 ORDER BY b NULLS LAST"),
    ("query II nosort", "SELECT 7 / 2, 7 % 3"),
    ("query RR nosort", "SELECT 7 / 2.0, -7 / 2.0"),
    ("query I nosort", "SELECT -7 / 2"),
    ("query TTTTT nosort", "SELECT typeof(1), typeof(1.0), typeof('x'), typeof(NULL), typeof(x'00')"),
    ("query IRT nosort", "SELECT CAST('12abc' AS INTEGER), CAST('3.5' AS REAL), CAST(12 AS TEXT)"),
    ("query IT nosort", "SELECT length('hello'), upper(substr('signoff', 1, 4)) || '!'"),
    ("query T nosort", "SELECT coalesce(NULL, NULL, 'third')"),
    ("query I nosort", "SELECT NULL = NULL IS NULL"),
    ("query T nosort", "SELECT CASE WHEN 1 > 2 THEN 'no' WHEN 2 > 1 THEN 'yes' ELSE 'never' END"),
    ("query I nosort", "SELECT 1 IN (1, 2, NULL)"),
    ("query T nosort", "SELECT quote(3 IN (1, 2, NULL))"),
    ("ok", "CREATE TABLE t2(x INTEGER, y TEXT)"),
    ("ok", "CREATE INDEX t2x ON t2(x)"),
    ("ok", "INSERT INTO t2 VALUES(10, 'ten'), (20, 'twenty'), (20, 'vingt'), (99, 'lost'), (NULL, 'null')"),
    ("query TT rowsort", "SELECT c, y FROM t1 JOIN t2 ON t1.b = t2.x"),
    ("query TT rowsort", "SELECT c, y FROM t1 LEFT JOIN t2 ON t1.b = t2.x WHERE t1.a <= 3"),
    ("query II nosort", "SELECT x, count(*) FROM t2 GROUP BY x ORDER BY x"),
    ("query II nosort", "SELECT x, count(*) FROM t2 GROUP BY x HAVING count(*) > 1"),
    ("query I rowsort", "SELECT DISTINCT x FROM t2 WHERE x IS NOT NULL"),
    ("query T rowsort", "SELECT y FROM t2 WHERE x IN (SELECT b FROM t1)"),
    ("query T rowsort", "SELECT c FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.x = t1.b)"),
    ("query I nosort", "SELECT (SELECT max(x) FROM t2) - (SELECT min(b) FROM t1)"),
    ("query I rowsort", "SELECT b FROM t1 WHERE b IS NOT NULL UNION SELECT x FROM t2 WHERE x IS NOT NULL"),
    ("query I nosort", "SELECT count(*) FROM (SELECT x FROM t2 UNION ALL SELECT x FROM t2)"),
    ("query I rowsort", "SELECT x FROM t2 EXCEPT SELECT b FROM t1"),
    ("query I rowsort", "SELECT x FROM t2 INTERSECT SELECT b FROM t1"),
    ("ok", "UPDATE t1 SET b = b + 1 WHERE b < 30"),
    ("query I nosort", "SELECT b FROM t1 WHERE a IN (1, 2) ORDER BY a"),
    ("ok", "DELETE FROM t2 WHERE x = 20"),
    ("query I nosort", "SELECT count(*) FROM t2"),
    ("ok", "BEGIN"),
    ("ok", "INSERT INTO t2 VALUES(1, 'rolled back')"),
    ("ok", "ROLLBACK"),
    ("query I nosort", "SELECT count(*) FROM t2 WHERE y = 'rolled back'"),
    ("ok", "CREATE VIEW v AS SELECT a, b * 2 AS bb FROM t1 WHERE b IS NOT NULL"),
    ("query II nosort", "SELECT a, bb FROM v ORDER BY bb DESC LIMIT 1"),
    ("ok", "DROP VIEW v"),
    ("error", "SELECT * FROM v"),
    ("query I nosort", "SELECT max(a) FROM t1"),
]


def main() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)  # autocommit, as the corpus runner opens it
    parts = ["# signoff's default corpus: see tools/make_default_corpus.py (expected results from sqlite3 "
             f"{sqlite3.sqlite_version})\n"]
    for kind, sql in RECORDS:
        if kind in ("ok", "error"):
            try:
                db.execute(sql)
                outcome = "ok"
            except sqlite3.Error:
                outcome = "error"
            if outcome != kind:
                raise SystemExit(f"expected statement {kind}, got {outcome}: {sql}")
            parts.append(f"statement {kind}\n{sql}\n")
            continue
        _, types, sort = kind.split()
        rows = db.execute(sql).fetchall()
        result = format_result(rows, types, sort)  # type: ignore[arg-type]
        values = "\n".join(result.values)
        parts.append(f"query {types} {sort}\n{sql}\n----\n{values}\n" if values else
                     f"query {types} {sort}\n{sql}\n----\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(parts), encoding="utf-8")
    print(f"{OUT}: {len(RECORDS)} records")


if __name__ == "__main__":
    main()
