"""pass@k: the unbiased estimator against values computed by hand."""

from __future__ import annotations

from math import comb

import pytest

from signoff.batch.judge import SampleResult
from signoff.batch.samples import Problem
from signoff.batch.summary import mean_pass_at_k, pass_at_k, summarize
from signoff.verdict import CheckResult


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (1, 1, 1, 1.0),
    (1, 0, 1, 0.0),
    (5, 2, 1, 2 / 5),
    (10, 3, 5, 1 - 21 / 252),  # 1 - C(7,5)/C(10,5)
    (10, 1, 10, 1.0),  # n - c < k: every draw of 10 holds the correct one
    (200, 10, 100, 1 - comb(190, 100) / comb(200, 100)),
    (20, 0, 10, 0.0),
])
def test_pass_at_k_is_one_minus_the_chance_that_k_draws_miss_every_correct_sample(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_pass_at_k_refuses_impossible_counts():
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 5)


def test_the_mean_reports_only_the_ks_every_task_allows():
    assert mean_pass_at_k([(10, 5), (20, 0)]) == {"pass@1": pytest.approx(0.25),
                                                  "pass@10": pytest.approx(0.5)}
    assert mean_pass_at_k([(100, 1), (150, 0)]).keys() == {"pass@1", "pass@10", "pass@100"}
    assert mean_pass_at_k([]) == {}


def _result(task: str, index: int, base: str, full: str) -> SampleResult:
    checks = [CheckResult("same_results", base, f"base inputs: {base}")]  # type: ignore[arg-type]
    if base == "pass":
        checks.append(CheckResult("same_results", full, f"plus inputs: {full}"))  # type: ignore[arg-type]
    return SampleResult(task, index, base, tuple(checks))  # type: ignore[arg-type]


def test_the_summary_counts_plausible_but_wrong_samples():
    results = [_result("A", 0, "pass", "pass"), _result("A", 1, "pass", "fail"),
               _result("B", 0, "fail", "fail"), _result("B", 1, "pass", "error")]
    summary = summarize(results, [Problem("no sample for this task", None, "C")], duration_s=2.0,
                        judged_now=4)
    assert summary["base"] == {"passed": 3, "pass@1": pytest.approx(0.75)}
    assert summary["signoff"] == {"passed": 1, "pass@1": pytest.approx(0.25)}
    assert summary["plausible_but_wrong"] == {
        "count": 1, "samples": [{"task_id": "A", "index": 1, "summary": "plus inputs: fail"}]}
    assert summary["verdicts"] == {"pass": 1, "fail": 2, "error": 1, "inconclusive": 0}
    assert summary["problems"] == [{"line": None, "task_id": "C", "problem": "no sample for this task"}]
    assert summary["samples_per_s"] == 2.0


def test_speed_ratios_are_listed_by_task_and_base_pass_at_k_skips_tasks_without_base_inputs():
    timed = CheckResult("speed", "pass", "1.1x", {"ratio": 1.1, "ci95": [1.0, 1.2], "at_most": None})
    slow = CheckResult("speed", "fail", "answers differ at size 9", {"size": 9})
    generated = CheckResult("same_results", "pass", "generated inputs: same outcomes")
    results = [SampleResult("A", 0, "pass", (CheckResult("same_results", "pass", "base"), timed)),
               SampleResult("A", 1, "pass", (CheckResult("same_results", "pass", "base"), slow)),
               SampleResult("B", 0, None, (generated,)), SampleResult("B", 1, None, (generated, timed))]
    summary = summarize(results, [], duration_s=1.0, judged_now=4)
    assert summary["speed"] == {
        "A": [{"index": 0, "verdict": "pass", "ratio": 1.1, "ci95": [1.0, 1.2], "at_most": None},
              {"index": 1, "verdict": "fail", "ratio": None, "ci95": None, "at_most": None}],
        "B": [{"index": 1, "verdict": "pass", "ratio": 1.1, "ci95": [1.0, 1.2], "at_most": None}]}
    assert summary["base"] == {"passed": 2, "pass@1": 1.0}  # task A alone: B has no base inputs
    assert summary["signoff"] == {"passed": 3, "pass@1": pytest.approx(0.75)}
