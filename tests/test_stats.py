"""Tests of signoff.stats: paired speed intervals, sequential decisions, growth classes."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from signoff.stats import (
    AMBIGUOUS,
    GROWTH_CLASSES,
    RatioEstimate,
    SequentialRatioTest,
    classify_growth,
    compare_growth,
    decide_ratio,
    growth_rank,
    look_schedule,
    paired_log_ratio_interval,
    sequential_confidence,
    size_medians,
)

# ------------------------------------------------------------------ speed ratio


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


def test_interval_is_fast_enough_to_recompute_often() -> None:
    ref, cand = pairs(1.0, 0.2, 200, seed=5)
    rng = np.random.default_rng(0)
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        paired_log_ratio_interval(ref, cand, rng=rng)
        best = min(best, time.perf_counter() - start)
    assert best < 0.020


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


# ---------------------------------------------------------------- growth classes

DOUBLING = np.array([1000 * 2**i for i in range(10)], dtype=float)  # 1e3 .. 512e3
ROOT2 = np.round(48 * np.sqrt(2) ** np.arange(9))  # 48 .. 768
SMALL = np.arange(10, 26, 2, dtype=float)  # exponential algorithms


def shape(label: str, n: np.ndarray, base: float = 2.0) -> np.ndarray:
    curves = {
        "O(1)": np.ones_like(n),
        "O(log n)": np.log(n),
        "O(n)": n,
        "O(n log n)": n * np.log(n),
        "O(n^2)": n**2,
        "O(n^3)": n**3,
        "O(2^n)": base ** (n - n.max()),
    }
    g = np.asarray(curves[label], dtype=float)
    return np.asarray(g / g.max(), dtype=float)


def sizes_for(label: str) -> list[np.ndarray]:
    if label == "O(2^n)":
        return [SMALL]
    return [DOUBLING, ROOT2] if label in ("O(n^2)", "O(n^3)") else [DOUBLING]


@pytest.mark.parametrize("label", GROWTH_CLASSES)
@pytest.mark.parametrize("overhead", [0.0, 0.2])
def test_exact_curves_are_classified(label: str, overhead: float) -> None:
    for n in sizes_for(label):
        g = shape(label, n)
        seconds = 1e-3 * (overhead * g[0] + g) if label != "O(1)" else np.full(n.size, 1e-3)
        fit = classify_growth(n, seconds)
        assert fit.label == label == fit.best
        a, b = fit.coefficients[label]
        if label != "O(1)":
            assert b == pytest.approx(1e-3, rel=1e-3)
            assert a == pytest.approx(1e-3 * overhead * g[0], rel=1e-3, abs=1e-9)


def test_naive_fibonacci_growth_is_exponential() -> None:
    seconds = 1e-6 * (5 + 1.618**SMALL)
    assert classify_growth(SMALL, seconds).label == "O(2^n)"


def test_exponential_is_not_fitted_on_doubling_sizes() -> None:
    seconds = 1e-3 * shape("O(n)", DOUBLING)
    fit = classify_growth(DOUBLING, seconds)
    assert "O(2^n)" not in fit.scores and set(fit.scores) < set(GROWTH_CLASSES)


@pytest.mark.parametrize("label", GROWTH_CLASSES)
def test_noisy_curves_are_classified_right_or_ambiguous_never_wrong(label: str) -> None:
    rng = np.random.default_rng(growth_rank(label))
    right = 0
    for trial in range(20):
        for n in sizes_for(label):
            g = shape(label, n, base=rng.uniform(1.5, 2.5))
            overhead = rng.uniform(0, 0.3) * g[0]
            noise = rng.lognormal(0.0, 0.03, n.size)
            seconds = 1e-3 * (overhead + g) * noise if label != "O(1)" else 1e-3 * noise
            if trial % 3 == 0:  # a timing slowed 1.5-3x by other load
                seconds[rng.integers(n.size)] *= rng.uniform(1.5, 3.0)
            got = classify_growth(n, seconds).label
            assert got in (label, AMBIGUOUS), f"{label} classified {got}"
            right += got == label
    assert right >= 0.9 * 20 * len(sizes_for(label))


@pytest.mark.parametrize("power", [0.5, 1.5, 2.5])
def test_growth_between_classes_is_ambiguous(power: float) -> None:
    rng = np.random.default_rng(int(power * 10))
    for _ in range(10):
        seconds = 1e-3 * (DOUBLING / DOUBLING[-1]) ** power * rng.lognormal(0, 0.03, 10)
        fit = classify_growth(DOUBLING, seconds)
        assert fit.label == AMBIGUOUS
        assert fit.runner_up is not None


def test_a_mix_of_two_adjacent_classes_is_ambiguous() -> None:
    rng = np.random.default_rng(8)
    for _ in range(10):
        seconds = 1e-9 * (DOUBLING + 0.05 * DOUBLING * np.log(DOUBLING))
        fit = classify_growth(DOUBLING, seconds * rng.lognormal(0, 0.01, 10))
        assert fit.label == AMBIGUOUS
        assert {fit.best, fit.runner_up} == {"O(n)", "O(n log n)"}


def test_lower_order_terms_do_not_change_the_class() -> None:
    n = ROOT2
    quadratic_with_linear = 1e-6 * (0.5 * n * 48 + n**2)  # half the time linear at the start
    assert classify_growth(n, quadratic_with_linear).label == "O(n^2)"
    cubic_with_quadratic = 1e-6 * (0.5 * n**2 * 48 + n**3)
    assert classify_growth(n, cubic_with_quadratic).label == "O(n^3)"


def test_an_outlier_at_the_largest_size_is_not_growth() -> None:
    seconds = np.full(DOUBLING.size, 1e-3) * np.random.default_rng(3).lognormal(0, 0.02, 10)
    seconds[-1] *= 2.5
    assert classify_growth(DOUBLING, seconds).label in ("O(1)", AMBIGUOUS)


def test_a_barely_sloped_line_is_constant() -> None:
    seconds = 1e-3 * (1 + 0.01 * DOUBLING / DOUBLING[-1])  # 1% growth over 512x
    fit = classify_growth(DOUBLING, seconds)
    assert fit.label == "O(1)"


def test_real_constant_timings_that_log_n_fits_a_little_better() -> None:
    # measured dict lookups (bench, polished medians): O(log n) scores best, but its
    # curve stays within 4% of the constant one, so it is the same explanation
    seconds = [1.0981, 1.0876, 1.1776, 1.1128, 1.1338, 1.1698, 1.1791, 1.1986, 1.1406, 1.1868]
    fit = classify_growth(DOUBLING, np.array(seconds) * 1e-7)
    assert fit.best == "O(log n)" and fit.label == "O(1)"
    assert fit.runner_up is None or fit.scores[fit.runner_up] - fit.scores["O(log n)"] >= 5


def test_sizes_in_any_order() -> None:
    order = np.random.default_rng(0).permutation(DOUBLING.size)
    seconds = 1e-3 * shape("O(n log n)", DOUBLING)
    assert classify_growth(DOUBLING[order], seconds[order]).label == "O(n log n)"


def test_classify_growth_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="8 distinct"):
        classify_growth(DOUBLING[:7], np.ones(7))
    with pytest.raises(ValueError):
        classify_growth(DOUBLING, np.ones(9))
    with pytest.raises(ValueError):
        classify_growth(DOUBLING, -np.ones(10))
    with pytest.raises(ValueError):
        classify_growth(DOUBLING - 2000, np.ones(10))


def test_growth_rank_and_compare() -> None:
    assert [growth_rank(c) for c in GROWTH_CLASSES] == list(range(7))
    assert compare_growth("O(n^2)", "O(n log n)") > 0
    assert compare_growth("O(n)", "O(n)") == 0
    assert compare_growth("O(log n)", "O(n)") < 0
    with pytest.raises(ValueError):
        compare_growth(AMBIGUOUS, "O(n)")
    with pytest.raises(ValueError):
        growth_rank("O(n!)")


def test_size_medians_removes_slow_repetitions() -> None:
    rng = np.random.default_rng(0)
    truth = 1e-3 * shape("O(n)", DOUBLING)
    samples = truth * rng.lognormal(0, 0.02, (11, DOUBLING.size))
    samples[:5] *= rng.uniform(2, 4, (5, 1))  # five whole repetitions slowed
    samples[6:8, -1] *= 3.0  # and two timings of the largest size
    polished = size_medians(samples)
    assert np.allclose(polished / truth, np.median(polished / truth), rtol=0.03)
    assert classify_growth(DOUBLING, polished).label == "O(n)"
    with pytest.raises(ValueError):
        size_medians([1.0, 2.0])
