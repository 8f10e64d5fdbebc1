"""Statistics for the cost criteria: paired speed ratios and growth classes.

Pure functions over numbers (numpy and scipy only): no I/O, no clock, no
printing; everything random takes a ``numpy.random.Generator``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray


class _LazyModule:
    """A scipy module imported on first use: importing scipy costs about a second, which
    ``import signoff`` (the CLI, spec files, workers unpickling spec classes) should not pay."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self._name)
        return getattr(module, attribute)


optimize = _LazyModule("scipy.optimize")
special = _LazyModule("scipy.special")
stats = _LazyModule("scipy.stats")

Decision = Literal["pass", "fail", "undecided"]
FloatArray = NDArray[np.float64]

# --------------------------------------------------------------------------- speed

# Each end of an interval is read off the bootstrap distribution with at least
# this many resamples beyond it: extreme (sequential) confidences draw more.
_MIN_TAIL_RESAMPLES: Final = 10
_MAX_RESAMPLES: Final = 200_000
_CHUNK_CELLS: Final = 2_000_000
_POCOCK_PATHS: Final = 100_000
_POCOCK_SEED: Final = 20_240_601


@dataclass(frozen=True, slots=True)
class RatioEstimate:
    """Candidate/reference time ratio (geometric mean over pairs) and its interval."""

    ratio: float
    low: float
    high: float
    pairs: int
    confidence: float = 0.95


def _positive(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must hold finite positive numbers")
    return array


def _bootstrap_means(x: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    out = np.empty(resamples)
    rows = max(1, _CHUNK_CELLS // x.size)
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        index = rng.integers(0, x.size, size=(stop - start, x.size), dtype=np.int32)
        out[start:stop] = x[index].mean(axis=1)
    return out


def _bca_interval(
    x: FloatArray, confidence: float, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """BCa bootstrap interval for the mean of ``x``, expanded for small samples.

    BCa, not percentile: timing log ratios are often skewed (a slow outlier),
    and BCa corrects bias and skewness (second-order accurate) at no extra
    cost, the jackknife acceleration of a mean being closed-form. Expanded
    (Hesterberg 2015): for few pairs the bootstrap of a mean is too narrow, so
    the nominal z becomes sqrt(n/(n-1)) * t_{n-1}.
    """
    n = x.size
    mean = float(x.mean())
    dev = x - mean
    ss = float(dev @ dev)
    if ss <= 1e-24 * n:
        return mean, mean
    z = math.sqrt(n / (n - 1)) * float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    accel = float((dev**3).sum()) / (6.0 * ss**1.5)
    tail = float(special.ndtr(-z))
    count = min(_MAX_RESAMPLES, max(resamples, math.ceil(_MIN_TAIL_RESAMPLES / tail)))
    boots = _bootstrap_means(x, count, rng)
    below = (np.count_nonzero(boots < mean) + 0.5 * np.count_nonzero(boots == mean)) / count
    z0 = float(special.ndtri(min(max(below, 1.0 / count), 1.0 - 1.0 / count)))

    def level(zq: float) -> float:
        shifted = z0 + zq
        denom = 1.0 - accel * shifted
        if denom <= 0:
            return 1.0 if shifted > 0 else 0.0
        return float(special.ndtr(z0 + shifted / denom))

    low, high = np.quantile(boots, [level(-z), level(z)])
    return float(low), float(high)


def paired_log_ratio_interval(
    ref_seconds: ArrayLike,
    cand_seconds: ArrayLike,
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    rng: np.random.Generator | None = None,
) -> RatioEstimate:
    """Geometric-mean ratio cand/ref over paired times, with a BCa bootstrap interval.

    ``ref_seconds[i]`` and ``cand_seconds[i]`` are one pair. ``rng`` defaults to
    a fixed seed. More than ``resamples`` are drawn when fewer than 10 would
    lie beyond an end of the interval (high confidences).
    """
    ref = _positive(ref_seconds, "ref_seconds")
    cand = _positive(cand_seconds, "cand_seconds")
    if ref.size != cand.size or ref.size < 2 or not 0 < confidence < 1 or resamples < 100:
        raise ValueError(
            f"need equally many (>= 2) times, got {ref.size} and {cand.size}; "
            f"0 < confidence < 1, got {confidence}; resamples >= 100, got {resamples}"
        )
    x: FloatArray = np.log(cand) - np.log(ref)
    low, high = _bca_interval(x, confidence, resamples, rng or np.random.default_rng(0))
    return RatioEstimate(math.exp(x.mean()), math.exp(low), math.exp(high), x.size, confidence)


def decide_ratio(estimate: RatioEstimate, at_most: float) -> Decision:
    """``pass`` when the whole interval is <= at_most, ``fail`` when all of it is above."""
    if estimate.high <= at_most:
        return "pass"
    return "fail" if estimate.low > at_most else "undecided"


@lru_cache(maxsize=128)
def _pocock_confidence(schedule: tuple[int, ...], overall: float) -> float:
    # Simulate the standardized mean at each look; c is the `overall` quantile
    # of max_k |S_k| / sqrt(n_k). Fixed seed: deterministic.
    rng = np.random.default_rng(_POCOCK_SEED)
    total = np.zeros(_POCOCK_PATHS)
    worst = np.zeros(_POCOCK_PATHS)
    previous = 0
    for n in schedule:
        total += rng.standard_normal(_POCOCK_PATHS) * math.sqrt(n - previous)
        np.maximum(worst, np.abs(total) / math.sqrt(n), out=worst)
        previous = n
    c = float(np.quantile(worst, overall))
    return max(overall, 2.0 * float(special.ndtr(c)) - 1.0)


def sequential_confidence(looks: int | Sequence[int], overall: float = 0.95) -> float:
    """Per-look two-sided confidence so that all looks together keep ``overall``.

    ``looks``: a number of equally spaced looks, or the schedule itself (the
    increasing pair counts at which the interval is examined). One constant
    boundary at every look (Pocock), found by simulating the standardized mean
    at those looks (100,000 paths, fixed seed, cached). Pocock, not Bonferroni,
    because consecutive looks are strongly correlated: for 60 equally spaced
    looks at 95% overall Bonferroni asks 99.92% per look, Pocock 99.53%.
    """
    if not 0 < overall < 1:
        raise ValueError(f"overall must be in (0, 1), got {overall}")
    if isinstance(looks, int):
        schedule = tuple(range(1, looks + 1))
    else:
        schedule = tuple(int(n) for n in looks)
    steps = np.diff((0, *schedule))
    if not schedule or np.any(steps <= 0):
        raise ValueError(f"looks must be >= 1 or increasing positive pair counts, got {looks}")
    return _pocock_confidence(schedule, overall)


def look_schedule(min_pairs: int, max_pairs: int, growth: float = 1.25) -> tuple[int, ...]:
    """Pair counts at which to look: ``min_pairs``, then ``growth`` times more, to max."""
    if min_pairs < 3 or max_pairs < min_pairs or growth <= 1:
        raise ValueError("need 3 <= min_pairs <= max_pairs and growth > 1")
    looks = [min_pairs]
    while looks[-1] < max_pairs:
        looks.append(min(max_pairs, max(looks[-1] + 1, math.ceil(looks[-1] * growth))))
    return tuple(looks)


class SequentialRatioTest:
    """Paired speed test examined as pairs arrive, with error control over all looks.

    :meth:`add` each pair, ask :meth:`decision` as often as convenient, stop at
    the first ``pass`` or ``fail``. The interval is examined only at the planned
    looks (:func:`look_schedule`), each on the pairs up to that look, at the
    per-look confidence of :func:`sequential_confidence`: asking more often adds
    no looks, and a look skipped over only lowers the error. With
    ``overall=0.95`` the chance of ever deciding ``fail`` when the true ratio
    equals ``at_most`` is about 2.5% (the same for a wrong ``pass``), and far
    less when the truth is below. Defaults: first look at 16 pairs (bootstrap
    tails are unreliable with fewer; at ``max_pairs`` if that is smaller, >= 3),
    then every 25% more (14 looks up to 300).
    """

    def __init__(
        self,
        *,
        max_pairs: int = 300,
        min_pairs: int = 16,
        growth: float = 1.25,
        overall: float = 0.95,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.schedule: Final = look_schedule(min(min_pairs, max_pairs), max_pairs, growth)
        self.look_confidence: Final = sequential_confidence(self.schedule, overall)
        self._rng = rng or np.random.default_rng(0)
        self._ref: list[float] = []
        self._cand: list[float] = []
        self._looks_taken = 0
        self._last_look: RatioEstimate | None = None

    @property
    def pairs(self) -> int:
        return len(self._ref)

    @property
    def last_look(self) -> RatioEstimate | None:
        """The (widened) interval the decision rests on; None before the first look."""
        due = sum(1 for n in self.schedule if n <= self.pairs)
        if due > self._looks_taken:
            self._last_look = self._interval(self.schedule[due - 1], self.look_confidence)
            self._looks_taken = due
        return self._last_look

    def _interval(self, pairs: int, confidence: float) -> RatioEstimate:
        ref, cand, rng = self._ref[:pairs], self._cand[:pairs], self._rng
        return paired_log_ratio_interval(ref, cand, confidence=confidence, rng=rng)

    def add(self, ref_seconds: float, cand_seconds: float) -> None:
        if not all(math.isfinite(v) and v > 0 for v in (ref_seconds, cand_seconds)):
            raise ValueError(f"times must be finite and positive: {ref_seconds}, {cand_seconds}")
        self._ref.append(float(ref_seconds))
        self._cand.append(float(cand_seconds))

    def estimate(self, confidence: float = 0.95) -> RatioEstimate:
        """A nominal (not sequentially widened) interval over all pairs, for reports."""
        return self._interval(self.pairs, confidence)

    def decision(self, at_most: float) -> Decision:
        """The decision at the latest planned look reached; ``undecided`` before it."""
        look = self.last_look
        return "undecided" if look is None else decide_ratio(look, at_most)


# -------------------------------------------------------------------------- growth

GROWTH_CLASSES: Final = ("O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)", "O(n^3)", "O(2^n)")
AMBIGUOUS: Final = "ambiguous"
MIN_SIZES: Final = 8
# Defaults of classify_growth, tuned on bench/growth_classification.py and on
# synthetic curves (noise, outliers, lower-order terms; tests/test_stats.py).
DEFAULT_MARGIN: Final = 5.0
DEFAULT_OUTLIER_SCALE: Final = 0.15
NOISE_FLOOR: Final = 0.01
MAX_MISFIT: Final = 0.15
DEFAULT_SAME_CURVE: Final = 0.04
# A growing term must carry >= 10% of the fitted time at >= 3 sizes: a class whose
# growth rests on one or two sizes (n^3 through an outlier at the top) is no rival.
_SUPPORT_SHARE: Final = 0.1
_SUPPORT_SIZES: Final = 3
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


def compare_growth(candidate_label: str, bound_label: str) -> int:
    """Positive when the candidate grows faster than the bound, 0 when alike.

    ``"ambiguous"`` is no class (ValueError): the caller must treat it as undecided.
    """
    return growth_rank(candidate_label) - growth_rank(bound_label)


def size_medians(samples: ArrayLike) -> FloatArray:
    """Typical seconds per size from ``samples[repetition][size]``.

    Tukey's median polish on log times: each repetition's common speed factor
    (the machine slower for a while) is taken out before the median per size,
    so a slow spell over some repetitions does not bend the curve.
    """
    table = np.asarray(samples, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("samples must be a table: one row per repetition, one column per size")
    residual = np.log(_positive(table.ravel(), "samples")).reshape(table.shape)
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
    t = _positive(seconds, "seconds")
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
            if np.unique(n[g >= 1e-3]).size < _SUPPORT_SIZES:
                continue  # these sizes cannot resolve it
            coef, loss = _robust_fit(np.column_stack([weights, weights * g]), outlier_scale)
            curve = coef[0] + coef[1] * g
            if np.unique(n[coef[1] * g >= _SUPPORT_SHARE * curve]).size >= _SUPPORT_SIZES:
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
