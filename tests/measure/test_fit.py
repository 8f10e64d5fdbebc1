"""Tests of signoff.measure.fit: growth classes fitted to times per size."""

from __future__ import annotations

import numpy as np
import pytest

from signoff.measure.fit import (
    AMBIGUOUS,
    GROWTH_CLASSES,
    classify_growth,
    growth_rank,
    size_medians,
)

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


def test_growth_rank() -> None:
    assert [growth_rank(c) for c in GROWTH_CLASSES] == list(range(7))
    with pytest.raises(ValueError):
        growth_rank(AMBIGUOUS)
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
