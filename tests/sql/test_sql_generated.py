"""Generated differential queries and the TLP/NoREC oracles, on real workers and flawed engines."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from signoff.criteria.hypothesis_run import DRAW_PHASES, run_quietly
from signoff.errors import SpecError
from signoff.sql.generate import Database, Script, scripts
from signoff.sql.metamorphic import Instance, instances, violation
from signoff.sql.scripts import compare_steps, same_rows
from signoff.sql.suite import SqlOptions, run_sql
from signoff.verdict import CheckResult

HERE = Path(__file__).resolve().parent
FLAWED = HERE / "flawed_query_engines.py"
PARTS = ("WHERE t0.c1", "WHERE NOT (t0.c1)", "WHERE (t0.c1) IS NULL")
sys.path.insert(0, str(HERE))
import flawed_query_engines  # noqa: E402


def generated_checks(candidate: str, reference: str = "sqlite3", queries: int = 300,
                     seed: int = 4) -> dict[str, CheckResult]:
    result = run_sql(SqlOptions(candidates=[candidate], reference=reference, corpus=[], invariants=[],
                                queries=queries, seed=seed))
    return {check.criterion: check for check in result.candidates[0].checks}


def run_here(connection: Any, statements: list[str]) -> list[tuple[str, Any]]:
    """A script's steps in this process, shaped as the driver's."""
    steps: list[tuple[str, Any]] = []
    for sql in statements:
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else None
        except Exception as error:  # fetching can raise too: lower(X'FF01') is not UTF-8
            steps.append(("raise", f"{type(error).__name__}: {error}"))
            continue
        steps.append(("done", ()) if rows is None else ("rows", tuple(map(tuple, rows))))
    return steps


def test_comparison_is_sqlites_equality_and_tolerant_on_float_sums() -> None:
    # SQLite holds 2 and 2.0 equal, and its plan picks which one DISTINCT or MAX keeps.
    assert same_rows([(1,)], [(1.0,)], ordered=False)
    assert same_rows([(2,), (2.0,)], [(2.0,), (2,)], ordered=False)
    assert not same_rows([(1,)], [("1",)], ordered=False)
    assert not same_rows([("a",)], [(b"a",)], ordered=False)
    assert not same_rows([(9223372036854775807,)], [(9223372036854775806,)], ordered=False)
    assert same_rows([(0.1 + 0.2,)], [(0.3,)], ordered=False)
    assert not same_rows([(0.3,)], [(0.31,)], ordered=False)
    assert same_rows([(1,), (None,), ("a",)], [("a",), (1,), (None,)], ordered=False)
    assert not same_rows([(1,), (2,)], [(2,), (1,)], ordered=True)
    assert not same_rows([(1,), (1,)], [(1,)], ordered=False)  # multisets: duplicates count


def test_statements_differ_only_by_raising_and_the_query_by_its_rows() -> None:
    ok, created = ("rows", ((1,),)), ("done", ())
    duck_count = ("rows", ((1,),))  # a driver that answers an INSERT with a row count
    assert compare_steps([created, created, ok], [created, duck_count, ok], ordered=False) is None
    raised = ("raise", "OperationalError: no")
    unsupported = compare_steps([created, ok], [raised, ok], ordered=False)
    assert unsupported is not None and (unsupported.kind, unsupported.statement) == ("unsupported", 0)
    wrong_error = compare_steps([created, raised], [created, ok], ordered=False)
    assert wrong_error is not None and wrong_error.kind == "wrong_error"
    wrong = compare_steps([created, ("rows", ((1,),))], [created, ("rows", ((2,),))], ordered=False)
    assert wrong is not None and (wrong.kind, wrong.statement) == ("wrong_result", 1)
    assert compare_steps([created, raised], [created, ("raise", "Other: words")], ordered=False) is None


def test_generated_scripts_are_valid_sqlite() -> None:
    drawn: list[Script] = []
    assert run_quietly(scripts(), 1, 200, DRAW_PHASES, drawn.append) is None
    assert len(drawn) == 200
    setup_raised = query_raised = 0
    for script in drawn:
        steps = run_here(sqlite3.connect(":memory:"), script.statements)
        setup_raised += any(kind == "raise" for kind, _ in steps[:-1])
        query_raised += steps[-1][0] == "raise"
    assert setup_raised == 0  # repeated primary keys are never drawn
    assert query_raised <= 20, query_raised  # most queries are valid: they test answers, not errors
    assert any(" JOIN " in s.query.sql for s in drawn) and any("GROUP BY" in s.query.sql for s in drawn)
    assert any("SELECT max(" in s.query.sql or "EXISTS" in s.query.sql for s in drawn)


@pytest.mark.slow
def test_sqlite3_against_itself_passes_both_checks() -> None:
    checks = generated_checks("sqlite3", queries=200)
    assert checks["generated"].verdict == "pass", checks["generated"].summary
    assert checks["generated"].evidence["agree"] == 200
    oracles = checks["metamorphic"]
    assert oracles.verdict == "pass", oracles.summary
    assert set(oracles.evidence["applicable"]) == {"tlp_where", "tlp_distinct", "tlp_aggregate", "norec"}


@pytest.mark.slow
def test_a_wrong_result_is_shrunk_to_a_script_that_reproduces_it() -> None:
    generated = generated_checks(f"{FLAWED}:last_row_lost")["generated"]
    assert generated.verdict == "fail", generated.summary
    assert generated.evidence["classes"]["wrong_result"] >= 10  # about one script in eight
    example = generated.evidence["examples"]["wrong_result"]
    statements: list[str] = example["script"]
    assert len(statements) <= 4, statements  # e.g. a table, two rows, a SELECT
    ours = run_here(sqlite3.connect(":memory:"), statements)
    theirs = run_here(flawed_query_engines.last_row_lost(":memory:"), statements)
    difference = compare_steps(ours, theirs, example["ordered"])
    assert difference is not None and difference.kind == "wrong_result"
    assert generated.evidence["more_examples"]["wrong_result"], "more examples, each cut and reduced"


@pytest.mark.slow
def test_tlp_and_norec_catch_a_where_clause_bug_and_show_the_smallest_instance() -> None:
    oracles = generated_checks(f"{FLAWED}:truncating")["metamorphic"]
    assert oracles.verdict == "fail", oracles.summary
    example = oracles.evidence["example"]
    assert example["reference"] == "keeps it"
    statements: list[str] = example["script"]
    assert len(statements) <= 8, statements
    instance = Instance(Database((), tuple(example["setup"])), example["oracle"], tuple(example["queries"]),
                        example["aggregate"])
    assert instance.statements == statements
    flawed = run_here(flawed_query_engines.truncating(":memory:"), statements)
    assert violation(instance, flawed) is not None
    assert violation(instance, run_here(sqlite3.connect(":memory:"), statements)) is None


@pytest.mark.slow
def test_the_oracles_find_a_bug_the_reference_shares() -> None:
    flawed = f"{FLAWED}:truncating"
    checks = generated_checks(flawed, reference=flawed, queries=200)
    assert checks["generated"].verdict == "pass"  # the same wrong answers agree
    assert checks["metamorphic"].verdict == "fail", checks["metamorphic"].summary
    assert checks["metamorphic"].evidence["example"]["reference"].startswith("violates it too")


@pytest.mark.slow
def test_a_crash_stops_the_drawing_and_is_shrunk() -> None:
    generated = generated_checks(f"{FLAWED}:between_crash", queries=200)["generated"]
    assert generated.verdict == "fail"
    assert set(generated.evidence["classes"]) == {"crash"}
    example = generated.evidence["examples"]["crash"]
    assert "BETWEEN" in example["script"][-1] and len(example["script"]) <= 3, example["script"]
    assert "SIGSEGV" in example["candidate"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 15])  # 15 drew 2 and 2.0 in one DISTINCT, once a false violation
def test_every_drawn_instance_holds_on_sqlite_in_process(seed: int) -> None:
    drawn: list[Instance] = []
    assert run_quietly(instances(), seed, 1000, DRAW_PHASES, drawn.append) is None
    broken = [i for i in drawn if violation(i, run_here(sqlite3.connect(":memory:"), i.statements))]
    assert broken == []


def partitioned(whole: str) -> tuple[str, ...]:
    return (whole, *(f"{whole} {part}" for part in PARTS))


@pytest.mark.parametrize("oracle, queries, aggregate", [
    ("tlp_where", partitioned("SELECT t0.c0 FROM t0"), ""),
    ("tlp_distinct", partitioned("SELECT DISTINCT t0.c0 FROM t0"), ""),
    ("tlp_aggregate", partitioned("SELECT MAX(t0.c0) FROM t0"), "MAX"),
    ("tlp_aggregate", partitioned("SELECT MIN(t0.c0) FROM t0"), "MIN"),
])
def test_equal_integers_and_reals_keep_the_oracles_on_sqlite(oracle: str, queries: tuple[str, ...],
                                                            aggregate: str) -> None:
    rows = ("CREATE TABLE t0(c0, c1)", "INSERT INTO t0 VALUES (2, 0)", "INSERT INTO t0 VALUES (2.0, 1)")
    for setup in (rows, (*rows, "CREATE INDEX i0 ON t0(c0)")):  # the index changes which one MAX keeps
        instance = Instance(Database((), setup), oracle, queries, aggregate)
        assert violation(instance, run_here(sqlite3.connect(":memory:"), instance.statements)) is None


@pytest.mark.slow
def test_a_slow_but_right_engine_is_not_taken_for_a_hung_one() -> None:
    # 20 ms a statement, a 1 s limit: each script fits it; a batch of them would not.
    result = run_sql(SqlOptions(candidates=[f"{FLAWED}:sluggish"], corpus=[], invariants=[], queries=40,
                                seed=1, timeout_s=1.0))
    checks = {check.criterion: check for check in result.candidates[0].checks}
    assert checks["generated"].verdict == "pass", checks["generated"].summary
    assert checks["metamorphic"].verdict == "pass", checks["metamorphic"].summary


def test_a_budget_spent_drawing_is_inconclusive_not_a_pass() -> None:
    result = run_sql(SqlOptions(candidates=["sqlite3"], corpus=[], invariants=[], queries=3000, seed=1,
                                budget_s=0.5))
    corpus, *generated = result.candidates[0].checks
    assert (corpus.criterion, corpus.verdict) == ("corpus", "skipped")  # corpus=[]: said, not left out
    for check in generated:
        assert check.verdict == "inconclusive", check.summary
        assert "budget" in check.summary


def test_queries_zero_runs_neither_check_and_nothing_at_all_is_refused(tmp_path: Path) -> None:
    (tmp_path / "one.test").write_text("query I nosort\nSELECT 1\n----\n1\n")
    result = run_sql(SqlOptions(candidates=["sqlite3"], corpus=[tmp_path], invariants=[], queries=0))
    checks = result.candidates[0].checks
    assert [(check.criterion, check.verdict) for check in checks] == [
        ("corpus", "pass"), ("generated", "skipped"), ("metamorphic", "skipped")]
    assert checks[1].summary == "no generated queries (--queries 0)"
    with pytest.raises(SpecError, match="nothing to check"):
        run_sql(SqlOptions(candidates=["sqlite3"], corpus=[], invariants=[], queries=0))
