"""Growth classes: fitting how time grows with input size, and a size's typical time.

Pure functions over numbers (numpy, and scipy on first use): no I/O, no clock,
no printing. The procedure that measures sizes and judges a candidate's growth
against the reference or a bound is ``signoff.measure.growth``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from signoff.measure._numeric import FloatArray, optimize, positive
from signoff.measure.rules import (
    DEFAULT_MARGIN,
    DEFAULT_OUTLIER_SCALE,
    DEFAULT_SAME_CURVE,
    MAX_MISFIT,
    MIN_SIZES,
    NOISE_FLOOR,
    SUPPORT_SHARE,
    SUPPORT_SIZES,
)

GROWTH_CLASSES: Final = ("O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)", "O(n^3)", "O(2^n)")
AMBIGUOUS: Final = "ambiguous"
# O(2^n) is r^n with the base searched on this grid (naive Fibonacci, 1.618^n,
# is exponential too): three parameters.
_EXP_BASES: Final = np.geomspace(math.sqrt(2.0), 4.0, 25)


@dataclass(frozen=True, slots=True)
class GrowthFit:
    """How time grows with input size (see :func:`classify_growth`).

    ``scores``: per class that could be fitted, lower is better. ``coefficients``:
    ``(a, b)`` in seconds, ``t(n) ~ a + b*g(n)/g(max n)``: the fixed cost and the
    growing part at the largest size. ``misfit``: robust relative RMS residual.
    """

    label: str
    best: str
    runner_up: str | None
    scores: Mapping[str, float]
    coefficients: Mapping[str, tuple[float, float]]
    misfit: float


def growth_rank(label: str) -> int:
    """Position of a growth class, from 0 (``O(1)``) up; ValueError for anything else."""
    try:
        return GROWTH_CLASSES.index(label)
    except ValueError:
        raise ValueError(f"not a growth class: {label!r} (one of {GROWTH_CLASSES})") from None


def size_medians(samples: ArrayLike) -> FloatArray:
    """Typical seconds per size from ``samples[repetition][size]``.

    Tukey's median polish on log times: each repetition's common speed factor
    (the machine slower for a while) is taken out before the median per size,
    so a slow spell over some repetitions does not bend the curve.
    """
    table = np.asarray(samples, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("samples must be a table: one row per repetition, one column per size")
    residual = np.log(positive(table.ravel(), "samples")).reshape(table.shape)
    rows = np.zeros(table.shape[0])
    cols = np.zeros(table.shape[1])
    for _ in range(10):
        step = np.median(residual, axis=1)
        rows += step
        residual -= step[:, None]
        step = np.median(residual, axis=0)
        cols += step
        residual -= step[None, :]
    result: FloatArray = np.exp(cols + np.median(rows))
    return result


def fitted_times(label: str, a: float, b: float, sizes: Sequence[float]) -> list[float] | None:
    """``a + b*g(n)/g(max n)`` over ``sizes``: the times a fit of class ``label`` (``GrowthFit``'s
    ``a`` and ``b``) gives, with the basis ``classify_growth`` fits; None for ``O(2^n)`` (the fit
    searches its base and does not report it) and where the basis is undefined (a size below 1)."""
    if label == "O(1)":
        return [a for _ in sizes]
    if label not in GROWTH_CLASSES or label == "O(2^n)" or not sizes or min(sizes) < 1.0 or max(sizes) <= 1.0:
        return None
    [column] = _basis(label, np.asarray(sizes, dtype=np.float64))
    return [float(t) for t in a + b * column]


def _basis(label: str, n: FloatArray) -> list[FloatArray]:
    """Basis columns of a class over the sizes, normalized to a maximum of 1."""
    top = float(n.max())
    if label == "O(log n)":
        return [np.log(n) / math.log(top)]
    if label == "O(n log n)":
        return [n * np.log(n) / (top * math.log(top))]
    if label in ("O(n)", "O(n^2)", "O(n^3)"):
        return [(n / top) ** {"O(n)": 1, "O(n^2)": 2, "O(n^3)": 3}[label]]
    return [np.exp((n - top) * math.log(base)) for base in _EXP_BASES]


def _robust_fit(design: FloatArray, scale: float) -> tuple[FloatArray, float]:
    """Non-negative ``design @ coef ~ 1`` under Cauchy loss, by reweighted NNLS.

    The loss ``sum(scale^2 * log(1 + (r/scale)^2))`` is the sum of squares for
    small residuals and grows only logarithmically for gross ones (a timing
    slowed 3x by other load).
    """
    ones = np.ones(design.shape[0])
    coef = optimize.nnls(design, ones)[0]
    for _ in range(50):
        root = 1.0 / np.sqrt(1.0 + ((design @ coef - ones) / scale) ** 2)
        updated = optimize.nnls(design * root[:, None], root)[0]
        done = np.allclose(updated, coef, rtol=1e-6, atol=1e-9)
        coef = updated
        if done:
            break
    residual = design @ coef - ones
    return coef, float(np.sum(scale**2 * np.log1p((residual / scale) ** 2)))


def classify_growth(
    sizes: ArrayLike,
    seconds: ArrayLike,
    *,
    margin: float = DEFAULT_MARGIN,
    outlier_scale: float = DEFAULT_OUTLIER_SCALE,
    same_curve: float = DEFAULT_SAME_CURVE,
) -> GrowthFit:
    """Classify how ``seconds`` (typical time per size) grows with ``sizes``.

    Each class is fitted as ``t = a + b*g(n)``, ``a, b >= 0`` (``O(1)``: ``t = a``),
    rows divided by the observed time (relative errors), under a Cauchy loss of
    scale ``outlier_scale`` (15%: a gross outlier counts little more than a 15%
    miss). Score: BIC on that loss, ``k*ln(max(loss/k, NOISE_FLOOR^2)) + p*ln(k)``
    (the 1% floor stops fits within timing noise being ranked by noise). Rule:

    1. ``best`` has the lowest score. Not fitted: a class whose growing term
       carries >= 10% of the fitted time at fewer than 3 sizes, and ``O(2^n)``
       unless the sizes are small and close (e.g. 10..24).
    2. Classes whose fitted curve is within ``same_curve`` (4%) of the best
       curve at every size are the same explanation; the simplest is the label
       (``O(n)`` with a tiny slope *is* ``O(1)`` over these sizes).
    3. Every other class is a rival. The label stands only if the best rival
       scores at least ``margin`` (5: odds of about 12 to 1 on the BIC scale)
       worse and the best misfit is at most ``MAX_MISFIT`` (15%); otherwise
       ``"ambiguous"``: e.g. n^1.5 is neither O(n log n) nor O(n^2).

    Needs at least 8 distinct sizes, all >= 1, in any order and spacing.
    """
    n = np.asarray(sizes, dtype=np.float64)
    t = positive(seconds, "seconds")
    if n.ndim != 1 or n.size != t.size:
        raise ValueError("sizes and seconds must be flat sequences of the same length")
    if not np.all(np.isfinite(n)) or np.any(n < 1):
        raise ValueError("sizes must be finite and at least 1")
    if np.unique(n).size < MIN_SIZES:
        raise ValueError(f"need at least {MIN_SIZES} distinct sizes, got {np.unique(n).size}")
    k = n.size
    unit = float(np.median(t))
    weights = unit / t  # fitted in units of the median time

    fitted: dict[str, tuple[float, float, float, FloatArray]] = {}  # loss, a, b, curve
    coef, loss = _robust_fit(weights[:, None], outlier_scale)
    fitted["O(1)"] = (loss, float(coef[0]), 0.0, np.full(k, coef[0]))
    for label in GROWTH_CLASSES[1:]:
        fits = []
        for g in _basis(label, n):
            if np.unique(n[g >= 1e-3]).size < SUPPORT_SIZES:
                continue  # these sizes cannot resolve it
            coef, loss = _robust_fit(np.column_stack([weights, weights * g]), outlier_scale)
            curve = coef[0] + coef[1] * g
            if np.unique(n[coef[1] * g >= SUPPORT_SHARE * curve]).size >= SUPPORT_SIZES:
                fits.append((loss, float(coef[0]), float(coef[1]), curve))
        if fits:
            fitted[label] = min(fits, key=lambda fit: fit[0])
    params = {c: 1 if c == "O(1)" else 3 if c == "O(2^n)" else 2 for c in fitted}
    scores = {
        c: k * math.log(max(loss / k, NOISE_FLOOR**2)) + params[c] * math.log(k)
        for c, (loss, *_) in fitted.items()
    }
    ranked = sorted(scores, key=lambda c: (scores[c], growth_rank(c)))
    best, curves = ranked[0], {c: fit[3] for c, fit in fitted.items()}
    same = [c for c in ranked if np.max(np.abs(curves[c] - curves[best]) * weights) <= same_curve]
    rivals = [c for c in ranked if c not in same]
    runner_up = rivals[0] if rivals else None
    misfit = math.sqrt(fitted[best][0] / k)
    clear = runner_up is None or scores[runner_up] - scores[best] >= margin
    label = min(same, key=growth_rank) if clear and misfit <= MAX_MISFIT else AMBIGUOUS
    coefficients = {c: (fit[1] * unit, fit[2] * unit) for c, fit in fitted.items()}
    return GrowthFit(label, best, runner_up, scores, coefficients, misfit)
