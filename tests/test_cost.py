"""Cost criteria on cases with huge margins; timing goals live in bench/, not here."""

from __future__ import annotations

from pathlib import Path

import pytest

import signoff

COSTS = Path(__file__).parent / "gallery" / "costs.py"


def target(name: str) -> str:
    return f"{COSTS}:{name}"


def make_list(n, rng):
    return [rng.randrange(1_000_000) for _ in range(n)]


def make_table(n, rng):
    rows = [(key, key * 2) for key in range(n)]
    return signoff.call({row[0]: row for row in rows}, rows, [rng.randrange(n) for _ in range(20)])


SMALL_SIZES = signoff.doubling(16, 2048)


def run(reference: str, candidate: str, criteria, make=make_list, sizes=SMALL_SIZES):
    spec = signoff.Spec(reference=target(reference), criteria=criteria,
                        workload=signoff.workload(make, sizes=sizes))
    result = signoff.check(spec, [target(candidate)], signoff.RunOptions(seed=5))
    return {check.criterion: check for check in result.candidates[0].checks}


@pytest.mark.slow
def test_quadratic_sort_fails_scaling_against_n_log_n_sort():
    checks = run("merge_sort", "insertion_sort", [signoff.scaling()])
    scaling = checks["scaling"]
    assert scaling.verdict == "fail", scaling.summary
    assert scaling.evidence["candidate_class"] in ("O(n^2)", "ambiguous")
    assert scaling.evidence["sizes"][0] == 16


@pytest.mark.slow
def test_linear_scan_explodes_against_lookup_and_is_stopped_early():
    checks = run("lookup", "scan", [signoff.scaling(), signoff.speed(size=16_000)], make=make_table,
                 sizes=signoff.doubling(1000, 1_024_000))
    assert checks["scaling"].verdict == "fail", checks["scaling"].summary
    assert "explodes" in checks["scaling"].summary
    assert len(checks["scaling"].evidence["sizes"]) < 11  # larger sizes were never run
    assert checks["speed"].verdict == "fail"
    assert checks["speed"].evidence["ratio"] > 100


@pytest.mark.parametrize("name", ["merge_sort", "total"])
def test_identical_functions_never_fail(name):
    checks = run(name, name, [signoff.speed(budget=20), signoff.scaling(budget=20), signoff.memory()])
    for check in checks.values():
        assert check.verdict != "fail", (check.criterion, check.summary)
    assert checks["memory"].verdict == "pass"


def test_hundredfold_slowdown_fails_speed_with_evidence():
    checks = run("total", "total_slowly", [signoff.speed(at_most=1.2)], sizes=(1000, 2000))
    speed = checks["speed"]
    assert speed.verdict == "fail", speed.summary
    assert speed.evidence["ratio"] > 10
    low, high = speed.evidence["ci95"]
    assert 1.2 < low <= speed.evidence["ratio"] <= high
    assert speed.evidence["size"] == 2000 and speed.evidence["pairs"] >= 8


def test_memory_hog_fails_memory():
    checks = run("total", "total_wasteful", [signoff.memory(at_most=2.0)], sizes=(100_000,))
    memory = checks["memory"]
    assert memory.verdict == "fail", memory.summary
    assert memory.evidence["ratio"] > 10
    assert memory.evidence["candidate_bytes"][0] > 20 * memory.evidence["reference_bytes"][0]


def test_wrong_answers_fail_cost_criteria_before_any_timing():
    checks = run("total", "total_wrong", [signoff.speed(), signoff.scaling(), signoff.memory()])
    for check in checks.values():
        assert check.verdict == "fail" and "answers differ" in check.summary


def test_a_candidate_that_stops_the_workers_clock_is_charged_the_time_the_parent_saw():
    checks = run("nap", "nap_and_lie", [signoff.speed(at_most=2.0)], sizes=(10,))
    speed = checks["speed"]
    assert speed.verdict == "fail", speed.summary
    forged = speed.evidence["clock_forged"]
    assert forged["claimed_share"] < 0.5 and forged["median_gap_s"] > forged["slack_s"]
    assert speed.evidence["ratio"] > 5


def test_cost_criteria_need_a_workload():
    with pytest.raises(signoff.SpecError, match="needs sized inputs"):
        signoff.Spec(reference="math:fsum", criteria=[signoff.speed()])
    with pytest.raises(signoff.SpecError, match="scaling"):
        signoff.scaling(no_worse_than="O(n!)")
    with pytest.raises(signoff.SpecError, match="not one of the workload's sizes"):
        signoff.Spec(reference="math:fsum", criteria=[signoff.speed(size=7)],
                     workload=signoff.workload(lambda n: [1.0] * n, sizes=(1, 2)))


def test_default_criteria_with_a_workload_are_results_speed_and_scaling():
    spec = signoff.Spec(reference="math:fsum", workload=signoff.workload(lambda n: [1.0] * n))
    assert [c.name for c in spec.criteria] == ["same_results", "speed", "scaling"]
    assert spec.workload.sizes == signoff.doubling(1_000, 512_000)


def test_criteria_run_cheap_first_and_are_reported_in_the_spec_order():
    criteria = [signoff.speed(budget=5), signoff.memory(), signoff.same_results(examples=20)]
    spec = signoff.Spec(reference=target("total"), workload=signoff.workload(make_list, sizes=(100, 200)),
                        criteria=criteria)
    ended: list[str] = []
    options = signoff.RunOptions(seed=5, on_check=lambda _, check: ended.append(check.criterion))
    result = signoff.check(spec, [target("total")], options)
    assert ended == ["same_results", "memory", "speed"]
    assert [c.criterion for c in result.candidates[0].checks] == ["speed", "memory", "same_results"]
