"""Each corpus difference shrunk to the smallest script that shows it, on real engines in real workers."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.sql import driver
from signoff.sql.corpus import CorpusRun, run_corpus
from signoff.sql.minimize import ddmin, script_text, shrink
from signoff.sql.slt_parser import load_lenient
from signoff.sql.suite import SqlOptions, run_sql
from signoff.sql.workers import SqlWorker, WorkerPool
from signoff.verdict import CheckResult

FLAWED = Path(__file__).resolve().with_name("flawed_sql_engines.py")


def noisy_corpus() -> str:
    """A file where one INSERT of an empty string, among many records that do not matter, shows the flaw.

    The ``emptyless`` engine drops that INSERT, so the last query differs;
    only the CREATE TABLE of t1, that INSERT and the query are needed.
    """
    blocks = ["hash-threshold 8", "statement ok\nCREATE TABLE t1(a INTEGER, b TEXT)",
              "statement ok\nCREATE TABLE t2(x INTEGER)"]
    for i in range(12):
        blocks.append(f"statement ok\nINSERT INTO t1 VALUES ({i}, 'row {i}')")
        blocks.append(f"statement ok\nINSERT INTO t2 VALUES ({i})")
        blocks.append(f"query I nosort\nSELECT count(*) FROM t2\n----\n{i + 1}")
        if i == 7:
            blocks.append("statement ok\nINSERT INTO t1 VALUES (99, '')")  # the one that matters
            blocks.append("skipif sqlite\nstatement ok\nINSERT INTO t1 VALUES (100, '')")  # never runs
    blocks.append("statement ok\nCREATE INDEX t2x ON t2(x)")
    blocks.append("query I nosort\nSELECT a FROM t1 WHERE b = ''\n----\n99")
    return "\n\n".join(blocks) + "\n"


def corpus_check(tmp_path: Path, text: str, candidate: str, timeout_s: float = 10.0) -> CheckResult:
    (tmp_path / "noisy.test").write_text(text)
    result = run_sql(SqlOptions(candidates=[candidate], corpus=[tmp_path], invariants=[], queries=0,
                                timeout_s=timeout_s, seed=0))
    [check] = [c for c in result.candidates[0].checks if c.verdict != "skipped"]  # --queries 0
    json.dumps(check.evidence)  # the evidence must stay JSON
    return check


def test_ddmin_finds_the_records_that_matter() -> None:
    needed = {17, 42, 43}
    tried: list[list[int]] = []

    def test(kept: list[int]) -> bool:
        tried.append(kept)
        return needed <= set(kept)

    assert ddmin(list(range(100)), test) == [17, 42, 43]
    assert all(kept == sorted(kept) for kept in tried)  # file order is kept


def test_ddmin_finds_exactly_the_needed_records_whatever_they_are() -> None:
    rng = random.Random(5)
    for _ in range(200):
        size = rng.randrange(1, 60)
        needed = set(rng.sample(range(size), rng.randrange(1, min(size, 6) + 1)))
        assert ddmin(list(range(size)), needed.issubset) == sorted(needed)


def test_shrink_tries_the_record_alone_first_then_without_queries() -> None:
    calls: list[list[int]] = []

    def alone(kept: list[int], left_s: float) -> bool:
        calls.append(kept)
        return True

    shrunk = shrink([0, 1, 2, 3], [0, 2], alone, time.monotonic() + 5)
    assert (shrunk.kept, shrunk.minimal, calls) == ((), True, [[]])

    def needs_statement_2(kept: list[int], left_s: float) -> bool:
        calls.append(kept)
        return 2 in kept

    calls.clear()
    shrunk = shrink([0, 1, 2, 3], [0, 2], needs_statement_2, time.monotonic() + 5)
    assert shrunk.kept == (2,) and shrunk.minimal
    assert calls[:2] == [[], [0, 2]]  # queries 1 and 3 are never tried again


def test_shrink_keeps_the_smallest_script_so_far_when_the_budget_runs_out() -> None:
    began = time.monotonic()

    def slow(kept: list[int], left_s: float) -> bool:
        time.sleep(0.02)
        return {3, 60} <= set(kept)

    shrunk = shrink(list(range(100)), list(range(100)), slow, time.monotonic() + 0.5)
    assert not shrunk.finished and not shrunk.minimal
    assert shrunk.kept is not None and {3, 60} <= set(shrunk.kept) and len(shrunk.kept) < 100
    assert time.monotonic() - began < 1.0

    never = shrink([0, 1], [0, 1], slow, time.monotonic() - 1)
    assert (never.kept, never.finished, never.tries) == (None, False, 0)


def test_script_text_can_be_pasted_into_either_engine() -> None:
    sqls = ["CREATE TABLE t(x)", "INSERT INTO t VALUES(1);\nDROP INDEX i;", "SELECT ';' FROM t"]
    assert script_text(sqls) == ("CREATE TABLE t(x);\nINSERT INTO t VALUES(1);\nDROP INDEX i;\n"
                                 "SELECT ';' FROM t;")


@pytest.fixture
def sqlite3_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(driver.ENGINE_VARIABLE, "sqlite3")
    monkeypatch.setenv(driver.PROGRESS_VARIABLE, str(tmp_path / "progress"))
    monkeypatch.setattr(driver, "_state", driver._State())
    yield tmp_path
    driver._subset_file.clear()


def test_the_driver_runs_a_subset_of_a_file_on_a_fresh_database(sqlite3_driver: Path) -> None:
    path = sqlite3_driver / "noisy.test"
    path.write_text(noisy_corpus())
    last = len(load_lenient(str(path))) - 1
    outcomes = driver.dispatch("slt_subset", str(path), [1, last])
    assert [(o[0], o[1]) for o in outcomes] == [(1, "ok"), (last, "mismatch")]  # t1 is empty here
    assert outcomes[-1][3] == ()
    again = driver.dispatch("slt_subset", str(path), [last])  # a fresh database: no table t1
    assert again[0][5] is not None and "no such table" in again[0][5]
    assert driver.read_progress(str(sqlite3_driver / "progress")) == last


def test_a_wrong_result_is_shrunk_to_the_records_it_needs(tmp_path: Path) -> None:
    check = corpus_check(tmp_path, noisy_corpus(), f"{FLAWED}:emptyless")
    assert check.verdict == "fail"
    [example] = check.evidence["examples"]["wrong_result"]
    assert [entry["sql"] for entry in example["script"]] == [
        "CREATE TABLE t1(a INTEGER, b TEXT)", "INSERT INTO t1 VALUES (99, '')",
        "SELECT a FROM t1 WHERE b = ''"]
    assert example["script"][-1]["line"] == example["line"]
    assert example["script_records"] == {"before": 2 + 12 * 3 + 1 + 1 + 1, "after": 3}
    assert example["script_minimal"] is True and "script_note" not in example
    assert example["script_text"] == ("CREATE TABLE t1(a INTEGER, b TEXT);\nINSERT INTO t1 VALUES (99, '');\n"
                                      "SELECT a FROM t1 WHERE b = '';")
    assert check.evidence["shrink_seconds"] < 5


def test_a_wrong_error_keeps_what_makes_the_reference_raise_the_same_error(tmp_path: Path) -> None:
    text = noisy_corpus() + ("\nstatement ok\nCREATE TABLE t3(s TEXT UNIQUE)\n\n"
                             "statement ok\nINSERT INTO t3 VALUES ('')\n\n"
                             "statement error\nINSERT INTO t3 VALUES ('')\n")
    check = corpus_check(tmp_path, text, f"{FLAWED}:emptyless")
    [example] = check.evidence["examples"]["wrong_error"]
    # Without the CREATE TABLE the reference would raise too ("no such table"), but not the same error.
    assert [entry["sql"] for entry in example["script"]] == [
        "CREATE TABLE t3(s TEXT UNIQUE)", "INSERT INTO t3 VALUES ('')", "INSERT INTO t3 VALUES ('')"]


def test_sqlite3_against_itself_has_no_script(tmp_path: Path) -> None:
    check = corpus_check(tmp_path, noisy_corpus(), "sqlite3")
    assert check.verdict == "pass"
    assert check.evidence["examples"] == {}
    assert check.evidence["shrink_seconds"] < 1


def test_a_crash_is_shrunk_to_the_statement_that_crashes(tmp_path: Path) -> None:
    text = noisy_corpus() + "\nstatement ok\nCREATE TABLE boom(x INTEGER)\n"
    began = time.monotonic()
    check = corpus_check(tmp_path, text, f"{FLAWED}:crashing")
    [crash] = check.evidence["examples"]["crash"]
    assert [entry["sql"] for entry in crash["script"]] == ["CREATE TABLE boom(x INTEGER)"]
    assert crash["script_minimal"] is True
    assert time.monotonic() - began < 30


def test_a_hang_is_reported_without_a_script_and_does_not_stall(tmp_path: Path) -> None:
    text = noisy_corpus() + "\nstatement ok\nCREATE TABLE stuck(x INTEGER)\n"
    check = corpus_check(tmp_path, text, f"{FLAWED}:hanging", timeout_s=1.0)
    [hang] = check.evidence["examples"]["hang"]
    assert hang["script"] is None and "not shrunk" in hang["script_note"]
    assert check.evidence["shrink_seconds"] < 1


def run_with_budget(tmp_path: Path, candidate: str, total_s: float) -> CorpusRun:
    path = tmp_path / "noisy.test"
    path.write_text(noisy_corpus())
    with WorkerPool() as pool:
        workers = [pool.start(engine, role) for engine, role in (("sqlite3", "reference"),
                                                                  (candidate, "candidate"))]
        reference, worker = workers
        assert isinstance(reference, SqlWorker) and isinstance(worker, SqlWorker)
        return run_corpus([(path, "noisy.test")], reference, [worker], minimize_total_s=total_s)


def test_with_no_budget_for_shrinking_the_example_says_so(tmp_path: Path) -> None:
    run = run_with_budget(tmp_path, f"{FLAWED}:emptyless", 0.0)
    [example] = run.comparisons[0].examples["wrong_result"]
    assert example["script"] is None and "budget" in example["script_note"]
