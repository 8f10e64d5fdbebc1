"""Tests of signoff.measure.intervals: paired speed intervals and sequential decisions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from signoff.measure.intervals import (
    RatioEstimate,
    SequentialRatioTest,
    decide_ratio,
    look_schedule,
    paired_log_ratio_interval,
    sequential_confidence,
)


def pairs(true_ratio: float, sigma: float, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref = rng.lognormal(math.log(1e-3), 0.5, count)  # inputs of varying cost
    cand = ref * true_ratio * rng.lognormal(0.0, sigma, count)
    return ref, cand


def test_interval_contains_true_ratio_and_is_reported_as_ratio() -> None:
    ref, cand = pairs(1.3, 0.2, 100, seed=1)
    est = paired_log_ratio_interval(ref, cand, rng=np.random.default_rng(0))
    assert est.pairs == 100 and est.confidence == 0.95
    assert est.low < 1.3 < est.high
    assert est.low < est.ratio < est.high
    assert abs(est.ratio - 1.3) < 0.06
    # the statistic is the geometric mean of the per-pair ratios
    assert est.ratio == pytest.approx(math.exp(np.mean(np.log(cand / ref))))


def test_interval_coverage_is_near_nominal_even_for_few_pairs() -> None:
    # a plain percentile bootstrap covers about 87% with 8 pairs; the expanded BCa ~93%
    covered = 0
    for seed in range(400):
        ref, cand = pairs(0.8, 0.25, 8, seed=seed)
        est = paired_log_ratio_interval(ref, cand, resamples=1000, rng=np.random.default_rng(seed))
        covered += est.low <= 0.8 <= est.high
    assert 0.91 <= covered / 400 <= 0.99


def test_interval_narrows_with_more_pairs_and_widens_with_confidence() -> None:
    rng = np.random.default_rng(0)
    few = paired_log_ratio_interval(*pairs(1.0, 0.2, 20, seed=2), rng=rng)
    many = paired_log_ratio_interval(*pairs(1.0, 0.2, 400, seed=2), rng=rng)
    assert many.high / many.low < few.high / few.low
    ref, cand = pairs(1.0, 0.2, 50, seed=3)
    at95 = paired_log_ratio_interval(ref, cand, rng=np.random.default_rng(0))
    at999 = paired_log_ratio_interval(ref, cand, confidence=0.999, rng=np.random.default_rng(0))
    assert at999.low < at95.low and at999.high > at95.high


def test_interval_is_reproducible_and_degenerate_when_pairs_agree() -> None:
    ref, cand = pairs(1.1, 0.2, 30, seed=4)
    first = paired_log_ratio_interval(ref, cand, rng=np.random.default_rng(7))
    again = paired_log_ratio_interval(ref, cand, rng=np.random.default_rng(7))
    assert first == again
    same = paired_log_ratio_interval([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    assert same.ratio == same.low == same.high == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("ref", "cand"),
    [([1.0, 2.0], [1.0]), ([1.0], [1.0]), ([1.0, 0.0], [1.0, 1.0]), ([1.0, math.nan], [1, 1])],
)
def test_interval_rejects_bad_times(ref: list[float], cand: list[float]) -> None:
    with pytest.raises(ValueError):
        paired_log_ratio_interval(ref, cand)


def test_decide_ratio() -> None:
    assert decide_ratio(RatioEstimate(1.0, 0.9, 1.1, 50), at_most=1.2) == "pass"
    assert decide_ratio(RatioEstimate(1.0, 0.9, 1.2, 50), at_most=1.2) == "pass"
    assert decide_ratio(RatioEstimate(1.5, 1.3, 1.7, 50), at_most=1.2) == "fail"
    assert decide_ratio(RatioEstimate(1.2, 1.2, 1.3, 50), at_most=1.2) == "undecided"
    assert decide_ratio(RatioEstimate(1.2, 1.1, 1.3, 50), at_most=1.2) == "undecided"


# ------------------------------------------------------------ sequential testing


def test_sequential_confidence_is_between_nominal_and_bonferroni() -> None:
    assert sequential_confidence(1) == pytest.approx(0.95, abs=0.003)
    # Pocock's published constant for 5 looks at 5% is 2.413: 2*Phi(2.413) - 1
    assert sequential_confidence(5) == pytest.approx(0.98418, abs=0.001)
    previous = 0.95
    for looks in (2, 5, 10, 30, 60):
        level = sequential_confidence(looks)
        assert previous < level < 1 - 0.05 / looks
        previous = level
    assert sequential_confidence(10, overall=0.99) > sequential_confidence(10)
    schedule = look_schedule(16, 300)
    assert schedule[0] == 16 and schedule[-1] == 300 and len(schedule) == 14
    assert sequential_confidence(schedule) < sequential_confidence(60)
    with pytest.raises(ValueError):
        sequential_confidence([10, 5])
    with pytest.raises(ValueError):
        sequential_confidence(0)


def run_sequential(
    true_ratio: float, at_most: float, runs: int, seed: int, max_pairs: int = 300
) -> dict[str, int]:
    """Add 5 pairs at a time and ask for a decision each time, up to max_pairs."""
    rng = np.random.default_rng(seed)
    outcomes = {"pass": 0, "fail": 0, "undecided": 0}
    for run in range(runs):
        sigma = rng.uniform(0.1, 0.3)
        test = SequentialRatioTest(max_pairs=max_pairs, rng=np.random.default_rng(run))
        decision = "undecided"
        while decision == "undecided" and test.pairs < max_pairs:
            ref = rng.lognormal(math.log(1e-3), 0.5, 5)
            for r, noise in zip(ref, rng.lognormal(0.0, sigma, 5), strict=True):
                test.add(r, r * true_ratio * noise)
            decision = test.decision(at_most)
        outcomes[decision] += 1
    return outcomes


def test_sequential_a_a_false_fail_rate_is_at_most_one_percent() -> None:
    outcomes = run_sequential(1.0, at_most=1.1, runs=300, seed=11)
    assert outcomes["fail"] <= 3
    assert outcomes["pass"] >= 285  # and it does decide


def test_sequential_catches_a_slow_candidate() -> None:
    outcomes = run_sequential(1.5, at_most=1.2, runs=300, seed=12)
    assert outcomes["fail"] >= 285


def test_sequential_false_fail_rate_at_the_threshold_stays_near_two_and_a_half_percent() -> None:
    # the hardest case: the truth equals at_most, so every fail is false (one-sided 2.5%
    # by design); with 95% per look instead of the Pocock level this is about 7%
    outcomes = run_sequential(1.1, at_most=1.1, runs=300, seed=13, max_pairs=60)
    assert outcomes["fail"] <= 13


def test_sequential_looks_only_on_schedule() -> None:
    test = SequentialRatioTest(max_pairs=100, rng=np.random.default_rng(0))
    ref, cand = pairs(3.0, 0.1, 100, seed=6)
    for i in range(15):
        test.add(ref[i], cand[i])
        assert test.decision(1.2) == "undecided" and test.last_look is None
    test.add(ref[15], cand[15])
    assert test.decision(1.2) == "fail"
    first = test.last_look
    assert first is not None and first.pairs == 16
    assert first.confidence == test.look_confidence > 0.95
    for i in range(16, 19):  # next look is at 20 pairs
        test.add(ref[i], cand[i])
        assert test.last_look is first
    nominal = test.estimate()
    assert nominal.pairs == 19 and nominal.high - nominal.low < first.high - first.low
    with pytest.raises(ValueError):
        test.add(1.0, -1.0)
