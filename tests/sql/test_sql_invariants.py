"""Performance invariants: sqlite3 against itself passes, a scanning engine fails, thresholds parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.errors import SpecError
from signoff.sql.invariants import INVARIANTS, parse_threshold
from signoff.sql.suite import SqlOptions, run_sql
from signoff.verdict import CheckResult

FLAWED = Path(__file__).resolve().with_name("flawed_sql_engines.py")


def checks(candidate: str, invariants: list[str], **options: object) -> dict[str, CheckResult]:
    result = run_sql(SqlOptions(candidates=[candidate], corpus=[], invariants=invariants, queries=0, seed=7,
                                **options))  # type: ignore[arg-type]
    # No corpus and no queries here: those checks are there, skipped, and left out of the dict.
    return {check.criterion: check for check in result.candidates[0].checks if check.verdict != "skipped"}


def test_every_invariant_has_an_explanation_and_a_threshold() -> None:
    assert len(INVARIANTS) >= 11
    for invariant in INVARIANTS.values():
        assert invariant.explanation and "\n" not in invariant.explanation
        if invariant.kind == "scaling":
            assert invariant.threshold == "reference"
        else:
            assert isinstance(invariant.threshold, float) and invariant.threshold >= 1.2


def test_thresholds_are_parsed_per_kind() -> None:
    assert parse_threshold(INVARIANTS["pk_lookup"], "1.5") == 1.5
    assert parse_threshold(INVARIANTS["pk_lookup_scaling"], "O(n)") == "O(n)"
    with pytest.raises(SpecError, match="ratio > 0"):
        parse_threshold(INVARIANTS["pk_lookup"], "fast")
    assert parse_threshold(INVARIANTS["pk_lookup_scaling"], "reference") == "reference"
    with pytest.raises(SpecError, match="'reference' or one of O\\(1\\)"):
        parse_threshold(INVARIANTS["pk_lookup_scaling"], "1.5")


def test_unknown_invariants_and_thresholds_are_usage_errors() -> None:
    with pytest.raises(SpecError, match="unknown invariant 'pk_lookups'"):
        run_sql(SqlOptions(candidates=["sqlite3"], corpus=[], invariants=["pk_lookups"]))
    with pytest.raises(SpecError, match="--threshold nope"):
        run_sql(SqlOptions(candidates=["sqlite3"], corpus=[], thresholds={"nope": "2"}))


@pytest.mark.slow
def test_sqlite3_against_itself_never_fails() -> None:
    found = checks("sqlite3", list(INVARIANTS))
    assert set(found) == set(INVARIANTS)
    bad = {name: check.summary for name, check in found.items() if check.verdict in ("fail", "error")}
    assert not bad
    passed = [name for name, check in found.items() if check.verdict == "pass"]
    assert len(passed) >= len(INVARIANTS) - 2, {n: c.summary for n, c in found.items()}
    lookup = found["pk_lookup"].evidence
    assert lookup["vdbe_steps"]["reference"] == lookup["vdbe_steps"]["candidate"] == 1200
    assert "plans" not in lookup  # plans are for failures


@pytest.mark.slow
def test_an_engine_that_scans_for_each_primary_key_fails_both_lookup_invariants() -> None:
    found = checks(f"{FLAWED}:scanning", ["pk_lookup", "pk_lookup_scaling"])
    lookup, scaling = found["pk_lookup"], found["pk_lookup_scaling"]
    assert lookup.verdict == "fail", lookup.summary
    assert lookup.evidence["ratio"] > 1.2
    assert lookup.evidence["plans"] == {"reference": ["SEARCH test USING INTEGER PRIMARY KEY (rowid=?)"],
                                        "candidate": ["SCAN test"]}
    steps = lookup.evidence["vdbe_steps"]
    assert steps["candidate"] > 10 * steps["reference"]
    assert scaling.verdict == "fail", scaling.summary
    assert scaling.evidence["candidate_class"] in ("O(n)", "O(n log n)", "ambiguous")
    assert scaling.evidence["ratio_growth_interval"][0] > 2
    assert "SCAN test" in scaling.evidence["plans"]["candidate"]


def test_an_engine_that_answers_wrongly_fails_before_it_is_timed() -> None:
    found = checks(f"{FLAWED}:forgetful", ["pk_lookup"])
    check = found["pk_lookup"]
    assert check.verdict == "fail"
    assert "answers" in check.summary and "not comparable" in check.summary
    assert "ratio" not in check.evidence


def test_a_threshold_can_be_raised() -> None:
    found = checks(f"{FLAWED}:scanning", ["pk_lookup"], thresholds={"pk_lookup": "1000"}, budget_s=5.0)
    assert found["pk_lookup"].verdict == "pass", found["pk_lookup"].summary
    assert found["pk_lookup"].evidence["at_most"] == 1000.0
