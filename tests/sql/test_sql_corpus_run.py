"""A sqllogictest corpus on two engines in workers: agreement, broken files, hangs and crashes."""

from __future__ import annotations

from pathlib import Path

from signoff.sql.corpus import Fault, classify
from signoff.sql.slt_format import QueryResult
from signoff.sql.slt_parser import Query, Statement
from signoff.sql.slt_runner import RecordOutcome
from signoff.sql.suite import SqlOptions, run_sql
from signoff.verdict import CheckResult

FLAWED = Path(__file__).resolve().with_name("flawed_sql_engines.py")

GOOD = """\
statement ok
CREATE TABLE t1(a INTEGER, b TEXT)

statement ok
INSERT INTO t1 VALUES (1, 'one'), (2, 'two'), (3, NULL)

query IT rowsort
SELECT a, b FROM t1
----
1
one
2
two
3
NULL

query I nosort
SELECT count(*) FROM t1 WHERE b IS NULL
----
1
"""

BROKEN = """\
statement ok
CREATE TABLE t2(x INTEGER)

query I nosort
SELECT x FROM t2
----
this query has no type letter problem but the next record does

query Q nosort
SELECT 1
----
1

statement ok
INSERT INTO t2 VALUES (7)

query I nosort
SELECT x FROM t2
----
7
"""

HANGS = """\
statement ok
CREATE TABLE fine(x INTEGER)

statement ok
INSERT INTO fine VALUES (1)

statement ok
CREATE TABLE stuck(x INTEGER)

query I nosort
SELECT x FROM fine
----
1
"""


def corpus_check(tmp_path: Path, files: dict[str, str | bytes], candidate: str = "sqlite3",
                 timeout_s: float = 10.0) -> CheckResult:
    for name, text in files.items():
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    result = run_sql(SqlOptions(candidates=[candidate], corpus=[tmp_path], invariants=[], queries=0,
                                timeout_s=timeout_s, seed=0))
    [check] = [c for c in result.candidates[0].checks if c.verdict != "skipped"]  # --queries 0
    assert check.criterion == "corpus"
    return check


def outcome(record: Statement | Query, values: tuple[str, ...] | None = None, raised: str | None = None
            ) -> RecordOutcome:
    got = None if values is None else QueryResult(values, 1)
    return RecordOutcome(record, "ok" if raised is None else "error", got=got, raised=raised)


def test_differences_are_classified() -> None:
    query = Query("SELECT 1", "I", "nosort", None, ("1",), 3)
    statement = Statement("CREATE TABLE t(x)", True, 1)
    assert classify(outcome(query, ("1",)), outcome(query, ("1",)))[0] == "agree"
    assert classify(outcome(query, ("1",)), outcome(query, ("2",)))[0] == "wrong_result"
    assert classify(outcome(statement), outcome(statement, raised="Error: no"))[0] == "unsupported"
    assert classify(outcome(statement, raised="Error: no"), outcome(statement))[0] == "wrong_error"
    assert classify(outcome(statement), Fault("timeout", "timed out after 1 s"))[0] == "hang"
    assert classify(outcome(statement), Fault("crash", "worker crashed with SIGSEGV"))[0] == "crash"
    assert classify(outcome(statement), None)[0] == "not_run"


def test_sqlite3_agrees_with_itself(tmp_path: Path) -> None:
    check = corpus_check(tmp_path, {"good.test": GOOD})
    assert check.verdict == "pass", check.summary
    assert check.evidence["records"] == check.evidence["agree"] == 4
    assert check.evidence["reference_vs_files"]["rate"] == 1.0


def test_a_broken_record_is_reported_with_file_and_line_and_the_rest_runs(tmp_path: Path) -> None:
    check = corpus_check(tmp_path, {"a_broken.test": BROKEN, "b_good.test": GOOD,
                                    "c_not_utf8.test": b"statement ok\nSELECT '\xff'\n"})
    problems = {(p["file"], p["line"]) for p in check.evidence["parse_problems"]}
    assert ("a_broken.test", 9) in problems  # "query Q": an unknown type letter
    assert ("c_not_utf8.test", 2) in problems  # the file is not UTF-8: reported, not run
    assert "do not parse" in check.summary and "a_broken.test:" in check.summary
    assert check.evidence["files"] == 2
    assert check.evidence["agree"] == check.evidence["records"] > 4  # both good records of a_broken ran
    assert check.verdict == "pass", check.summary


def test_a_hanging_statement_is_stopped_and_reported(tmp_path: Path) -> None:
    check = corpus_check(tmp_path, {"hangs.test": HANGS, "later.test": GOOD},
                         candidate=f"{FLAWED}:hanging", timeout_s=1.0)
    assert check.verdict == "fail"
    assert check.evidence["classes"] == {"hang": 1, "not_run": 1}
    [hang] = check.evidence["examples"]["hang"]
    assert (hang["file"], hang["line"], hang["sql"]) == ("hangs.test", 7, "CREATE TABLE stuck(x INTEGER)")
    assert "timed out" in hang["candidate"]
    assert check.evidence["agree"] == 2 + 4  # the records before the hang, and the next file


def test_a_crash_is_reported_with_the_statement(tmp_path: Path) -> None:
    crashes = HANGS.replace("stuck", "boom")
    check = corpus_check(tmp_path, {"crashes.test": crashes, "later.test": GOOD},
                         candidate=f"{FLAWED}:crashing")
    assert check.verdict == "fail"
    [crash] = check.evidence["examples"]["crash"]
    assert (crash["file"], crash["line"]) == ("crashes.test", 7)
    assert "SIGSEGV" in crash["candidate"]
    assert check.evidence["agree"] == 2 + 4


def test_when_the_corpus_budget_runs_out_the_check_is_inconclusive(tmp_path: Path) -> None:
    for name in ("a.test", "b.test"):
        (tmp_path / name).write_text(GOOD)
    options = SqlOptions(candidates=["sqlite3"], corpus=[tmp_path], invariants=[], queries=0,
                         corpus_budget_s=0.0)
    result = run_sql(options)
    [check] = [c for c in result.candidates[0].checks if c.verdict != "skipped"]  # --queries 0
    assert check.verdict == "inconclusive"
    assert check.evidence["not_run_files"] == ["a.test", "b.test"]
    assert "budget ran out" in check.summary
