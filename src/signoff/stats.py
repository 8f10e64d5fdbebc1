"""Statistics for the cost criteria: paired speed ratios and growth classes.

Pure functions over numbers (numpy and scipy only): no I/O, no clock, no
printing. Everything random takes a ``numpy.random.Generator`` so a run is
reproducible from its seed.

Speed: the statistic is the mean of ``log(candidate / reference)`` over pairs
timed back to back on the same fresh input, reported as a ratio (the
geometric mean). Its interval comes from a bootstrap of the paired log ratios.
A sequential test (:class:`SequentialRatioTest`) looks at that interval on a
planned schedule and widens each look's confidence so that looking
repeatedly does not inflate the error rates.

Growth: :func:`classify_growth` fits ``t = a + b*g(n)`` (``a, b >= 0``) for
each class in :data:`GROWTH_CLASSES` with relative-error weighting, scores the
fits with BIC and names a class only when it clearly beats every class that
is a genuinely different explanation of the data; otherwise ``"ambiguous"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats  # type: ignore[import-untyped]

Decision = Literal["pass", "fail", "undecided"]
FloatArray = NDArray[np.float64]

# --------------------------------------------------------------------------- speed


@dataclass(frozen=True, slots=True)
class RatioEstimate:
    """Candidate/reference time ratio: geometric mean of the pairs and an interval."""

    ratio: float
    low: float
    high: float
    pairs: int
    confidence: float = 0.95


# Each end of the interval is read off the bootstrap distribution; at least this
# many resamples must lie beyond it, so extreme (sequential) confidences draw more.
_MIN_TAIL_RESAMPLES: Final = 10
_MAX_RESAMPLES: Final = 200_000
_CHUNK_CELLS: Final = 2_000_000


def _positive(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must hold finite positive numbers")
    return array


def _log_ratios(ref_seconds: ArrayLike, cand_seconds: ArrayLike) -> FloatArray:
    ref = _positive(ref_seconds, "ref_seconds")
    cand = _positive(cand_seconds, "cand_seconds")
    if ref.size != cand.size:
        raise ValueError(f"{ref.size} reference times but {cand.size} candidate times")
    if ref.size < 2:
        raise ValueError("an interval needs at least 2 pairs")
    result: FloatArray = np.log(cand) - np.log(ref)
    return result


def _bootstrap_means(x: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    n = x.size
    out = np.empty(resamples)
    rows = max(1, _CHUNK_CELLS // n)
    dtype = np.int32 if n < 2**31 else np.int64
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        index = rng.integers(0, n, size=(stop - start, n), dtype=dtype)
        out[start:stop] = x[index].mean(axis=1)
    return out


def _bca_interval(
    x: FloatArray, confidence: float, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """BCa bootstrap interval for the mean of ``x``, expanded for small samples.

    Why BCa rather than the plain percentile interval: timing log ratios are
    often skewed (a slow outlier in one subject), and BCa corrects both the
    median bias and the skewness of the bootstrap distribution (second-order
    accurate; the percentile interval is first-order). For a mean, the jackknife
    acceleration has a closed form, so BCa costs nothing over the percentile
    interval. Why expanded: a bootstrap of the mean uses the plug-in spread
    (divisor n) and normal tails, so it is too narrow for few pairs; following
    Hesterberg (2015) the nominal z is replaced by sqrt(n/(n-1)) * t_{n-1}.
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
    """Geometric-mean ratio cand/ref of paired times, with a BCa bootstrap interval.

    ``ref_seconds[i]`` and ``cand_seconds[i]`` are one pair, timed back to back
    on the same fresh input. ``rng`` defaults to a fixed seed (reproducible).
    More than ``resamples`` are drawn when the confidence is so high that fewer
    than 10 resamples would lie beyond an end of the interval.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if resamples < 100:
        raise ValueError(f"resamples must be at least 100, got {resamples}")
    x = _log_ratios(ref_seconds, cand_seconds)
    low, high = _bca_interval(x, confidence, resamples, rng or np.random.default_rng(0))
    return RatioEstimate(
        ratio=math.exp(float(x.mean())),
        low=math.exp(low),
        high=math.exp(high),
        pairs=int(x.size),
        confidence=confidence,
    )


def decide_ratio(estimate: RatioEstimate, at_most: float) -> Decision:
    """``pass`` when the whole interval is <= at_most, ``fail`` when it is all above."""
    if estimate.high <= at_most:
        return "pass"
    if estimate.low > at_most:
        return "fail"
    return "undecided"


_POCOCK_PATHS: Final = 100_000
_POCOCK_SEED: Final = 20_240_601


@lru_cache(maxsize=128)
def _pocock_confidence(schedule: tuple[int, ...], overall: float) -> float:
    # Monte Carlo of the standardized running mean at each look (fixed seed, so
    # deterministic): the constant c with P(max_k |S_k|/sqrt(n_k) > c) = 1 - overall.
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

    ``looks`` is either a count of equally spaced looks (Pocock's design) or
    the schedule itself: the increasing pair counts at which the interval is
    examined. A single constant boundary is used at every look (Pocock): the
    constant is found by simulating the standardized mean at the scheduled
    looks (100,000 paths, fixed seed, cached). Pocock rather than Bonferroni
    because consecutive looks are strongly correlated: for 60 equally spaced
    looks at 95% overall Bonferroni asks for 99.92% per look, Pocock for about
    99.5%, which decides sooner and keeps the bootstrap tails resolvable.
    """
    if not 0 < overall < 1:
        raise ValueError(f"overall must be in (0, 1), got {overall}")
    if isinstance(looks, int):
        if looks < 1:
            raise ValueError(f"looks must be at least 1, got {looks}")
        schedule = tuple(range(1, looks + 1))
    else:
        schedule = tuple(int(n) for n in looks)
        if not schedule or schedule[0] < 1 or any(b <= a for a, b in zip(schedule, schedule[1:])):
            raise ValueError("a look schedule must be increasing positive pair counts")
    return _pocock_confidence(schedule, overall)


def look_schedule(min_pairs: int, max_pairs: int, growth: float = 1.25) -> tuple[int, ...]:
    """Pair counts at which a sequential test looks: geometric from min to max pairs."""
    if min_pairs < 3 or max_pairs < min_pairs or growth <= 1:
        raise ValueError("need 3 <= min_pairs <= max_pairs and growth > 1")
    looks = [min_pairs]
    while looks[-1] < max_pairs:
        looks.append(min(max_pairs, max(looks[-1] + 1, math.ceil(looks[-1] * growth))))
    return tuple(looks)


class SequentialRatioTest:
    """Paired speed test examined as pairs arrive, with error control over all looks.

    Call :meth:`add` for each pair and :meth:`decision` as often as convenient;
    stop at the first ``pass`` or ``fail``. The interval is only examined at the
    planned looks (:func:`look_schedule`: ``min_pairs`` then every ``growth``
    times more pairs, up to ``max_pairs``), each on the pairs up to that look,
    at the per-look confidence of :func:`sequential_confidence`. Calling
    ``decision`` more often therefore does not add looks, and a look that was
    skipped over only lowers the error. With ``overall=0.95`` the chance of
    ever deciding ``fail`` when the true ratio equals ``at_most`` is about 2.5%
    (the same for a wrong ``pass``), and far less when the truth is below it.
    Defaults: 16 pairs before the first look (bootstrap tails are unreliable
    with fewer), looks every 25% more pairs (14 looks up to 300 pairs).
    """

    def __init__(
        self,
        *,
        max_pairs: int = 300,
        min_pairs: int = 16,
        growth: float = 1.25,
        overall: float = 0.95,
        resamples: int = 2000,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.schedule: Final = look_schedule(min_pairs, max_pairs, growth)
        self.look_confidence: Final = sequential_confidence(self.schedule, overall)
        self.overall: Final = overall
        self._resamples = resamples
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
        """The interval the current decision rests on (None before the first look)."""
        self._catch_up()
        return self._last_look

    def add(self, ref_seconds: float, cand_seconds: float) -> None:
        for name, value in (("ref_seconds", ref_seconds), ("cand_seconds", cand_seconds)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite positive number, got {value!r}")
        self._ref.append(float(ref_seconds))
        self._cand.append(float(cand_seconds))

    def estimate(self, confidence: float = 0.95) -> RatioEstimate:
        """A nominal (not sequentially adjusted) interval over all pairs, for reporting."""
        return paired_log_ratio_interval(
            self._ref, self._cand, confidence=confidence, resamples=self._resamples, rng=self._rng
        )

    def decision(self, at_most: float) -> Decision:
        """The decision at the latest planned look that has been reached."""
        self._catch_up()
        if self._last_look is None:
            return "undecided"
        return decide_ratio(self._last_look, at_most)

    def _catch_up(self) -> None:
        due = sum(1 for n in self.schedule if n <= self.pairs)
        if due > self._looks_taken:
            n = self.schedule[due - 1]
            self._last_look = paired_log_ratio_interval(
                self._ref[:n],
                self._cand[:n],
                confidence=self.look_confidence,
                resamples=self._resamples,
                rng=self._rng,
            )
            self._looks_taken = due


# -------------------------------------------------------------------------- growth

GROWTH_CLASSES: Final = ("O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)", "O(n^3)", "O(2^n)")
AMBIGUOUS: Final = "ambiguous"

# Defaults of classify_growth, tuned on bench/growth_classification.py (see docstring).
DEFAULT_MARGIN: Final = 6.0
DEFAULT_NOISE_FLOOR: Final = 0.01
DEFAULT_MAX_MISFIT: Final = 0.15
DEFAULT_SAME_CURVE: Final = 0.02
MIN_SIZES: Final = 8

# A basis is usable only where it is resolved: at least 3 sizes at which it is
# >= 1/1000 of its largest value (2^n over doubling sizes is one spike).
_RESOLVED: Final = 1e-3
_RESOLVED_SIZES: Final = 3
# Exponential growth is fitted as r^n with the base r searched on this grid (so
# naive Fibonacci, 1.618^n, is O(2^n) too); the base is a third parameter.
_EXP_BASES: Final = np.geomspace(math.sqrt(2.0), 4.0, 25)


@dataclass(frozen=True, slots=True)
class GrowthFit:
    """Fitted growth of time with input size.

    ``label`` is a class of :data:`GROWTH_CLASSES` or ``"ambiguous"``; ``best``
    the class with the lowest BIC and ``runner_up`` the best class that is a
    different explanation (its fitted curve differs from the best one's).
    ``scores`` holds the BIC of each usable class (lower is better) and
    ``coefficients`` its ``(a, b)`` in seconds: ``t(n) ~ a + b*g(n)/g(max n)``,
    i.e. ``a`` is the fixed cost and ``b`` the growing part at the largest size.
    ``misfit`` is the relative RMS residual of the best fit.
    """

    label: str
    best: str
    runner_up: str | None
    scores: Mapping[str, float]
    coefficients: Mapping[str, tuple[float, float]]
    misfit: float


def growth_rank(label: str) -> int:
    """Position of a growth class from best (0, ``O(1)``) to worst; ValueError otherwise."""
    try:
        return GROWTH_CLASSES.index(label)
    except ValueError:
        raise ValueError(f"not a growth class: {label!r} (one of {GROWTH_CLASSES})") from None


def compare_growth(candidate_label: str, bound_label: str) -> int:
    """Positive when the candidate's class grows faster than the bound's, 0 when equal.

    ``"ambiguous"`` is not a class: a caller must treat it as undecided, so it
    raises ValueError here.
    """
    return growth_rank(candidate_label) - growth_rank(bound_label)


def _bases(label: str, n: FloatArray) -> list[tuple[FloatArray, float]]:
    """Normalized basis columns (max 1) of a class, each with its exponential base."""
    top = float(n.max())
    if label == "O(log n)":
        return [(np.log(n) / math.log(top), 0.0)]
    if label == "O(n)":
        return [(n / top, 0.0)]
    if label == "O(n log n)":
        return [(n * np.log(n) / (top * math.log(top)), 0.0)]
    if label == "O(n^2)":
        return [((n / top) ** 2, 0.0)]
    if label == "O(n^3)":
        return [((n / top) ** 3, 0.0)]
    return [(np.exp((n - top) * math.log(base)), float(base)) for base in _EXP_BASES]


def _resolved(g: FloatArray, n: FloatArray) -> bool:
    return np.unique(n[g >= _RESOLVED]).size >= _RESOLVED_SIZES


def classify_growth(
    sizes: ArrayLike,
    seconds: ArrayLike,
    *,
    margin: float = DEFAULT_MARGIN,
    noise_floor: float = DEFAULT_NOISE_FLOOR,
    max_misfit: float = DEFAULT_MAX_MISFIT,
    same_curve: float = DEFAULT_SAME_CURVE,
) -> GrowthFit:
    """Classify how ``seconds`` grows with ``sizes`` (median time per input size).

    For each class, ``t = a + b*g(n)`` with ``a, b >= 0`` is fitted by NNLS on
    rows divided by the observed time (relative errors, so the largest sizes do
    not dominate); ``O(1)`` is ``t = a``. Each fit is scored by BIC,
    ``k*ln(max(rss/k, noise_floor**2)) + p*ln(k)``, where the floor (1% by
    default) stops fits that are already within timing noise from being ranked
    by noise. The rule:

    1. ``best`` is the class with the lowest score.
    2. Classes whose fitted curve stays within ``same_curve`` (2%) of the best
       curve at every size are the same explanation of the data (``O(n log n)``
       with ``b = 0`` *is* ``O(1)``): the simplest of them is the candidate label.
    3. Every other class is a rival; ``runner_up`` is the best-scoring rival.
       The label is named only if the rival's score is at least ``margin``
       (6, "strong" evidence on the BIC scale) worse, and the best fit's
       relative RMS residual is at most ``max_misfit`` (15%, beyond which no
       class explains the data); otherwise ``"ambiguous"``.

    A class is only fitted where the sizes resolve it (``O(2^n)`` needs small,
    closely spaced sizes). Needs at least 8 distinct sizes, all >= 1.
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
    scale = float(np.median(t))
    weights = scale / t  # rows divided by the observed time, in units of the median
    ones = np.ones(k)

    scores: dict[str, float] = {}
    coefficients: dict[str, tuple[float, float]] = {}
    curves: dict[str, FloatArray] = {}
    rss_of: dict[str, float] = {}
    for label in GROWTH_CLASSES:
        if label == "O(1)":
            options: list[tuple[FloatArray | None, float]] = [(None, 0.0)]
        else:
            options = [(g, base) for g, base in _bases(label, n) if _resolved(g, n)]
        fits = []
        for g, _base in options:
            design = weights[:, None] if g is None else np.column_stack([weights, weights * g])
            coef, rnorm = optimize.nnls(design, ones)
            a = float(coef[0])
            b = float(coef[1]) if g is not None else 0.0
            curve = a + (b * g if g is not None else 0.0)
            fits.append((float(rnorm) ** 2, a, b, np.asarray(curve, dtype=np.float64)))
        if not fits:
            continue
        rss, a, b, curve = min(fits, key=lambda fit: fit[0])
        params = 1 if label == "O(1)" else 3 if label == "O(2^n)" else 2
        scores[label] = k * math.log(max(rss / k, noise_floor**2)) + params * math.log(k)
        coefficients[label] = (a * scale, b * scale)
        curves[label] = curve * np.ones(k)
        rss_of[label] = rss

    ranked = sorted(scores, key=lambda c: (scores[c], growth_rank(c)))
    best = ranked[0]
    same = [c for c in ranked if np.max(np.abs(curves[c] - curves[best]) * weights) <= same_curve]
    candidate = min(same, key=growth_rank)
    rivals = [c for c in ranked if c not in same]
    runner_up = rivals[0] if rivals else None
    misfit = math.sqrt(rss_of[best] / k)
    clear = runner_up is None or scores[runner_up] - scores[best] >= margin
    label = candidate if clear and misfit <= max_misfit else AMBIGUOUS
    return GrowthFit(
        label=label,
        best=best,
        runner_up=runner_up,
        scores=scores,
        coefficients=coefficients,
        misfit=misfit,
    )
