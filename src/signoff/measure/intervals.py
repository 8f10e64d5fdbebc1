"""Statistics of paired time ratios: the BCa bootstrap interval, Pocock's sequential
boundary, and ``SequentialRatioTest``, which examines the interval as pairs arrive.

Pure functions over numbers (numpy, and scipy on first use): no I/O, no clock,
no printing; everything random takes a ``numpy.random.Generator``. The
procedure that drives the test with real timings is ``signoff.measure.paired``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike

from signoff.measure._numeric import FloatArray, positive, special
from signoff.measure.rules import LOOK_GROWTH, MAX_PAIRS, MIN_PAIRS, REPORTED_CONFIDENCE

Decision = Literal["pass", "fail", "undecided"]

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
    confidence: float = REPORTED_CONFIDENCE


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
    z = math.sqrt(n / (n - 1)) * float(special.stdtrit(n - 1, 0.5 + confidence / 2))
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
    confidence: float = REPORTED_CONFIDENCE,
    resamples: int = 2000,
    rng: np.random.Generator | None = None,
) -> RatioEstimate:
    """Geometric-mean ratio cand/ref over paired times, with a BCa bootstrap interval.

    ``ref_seconds[i]`` and ``cand_seconds[i]`` are one pair. ``rng`` defaults to
    a fixed seed. More than ``resamples`` are drawn when fewer than 10 would
    lie beyond an end of the interval (high confidences).
    """
    ref = positive(ref_seconds, "ref_seconds")
    cand = positive(cand_seconds, "cand_seconds")
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


def sequential_confidence(looks: int | Sequence[int], overall: float = REPORTED_CONFIDENCE) -> float:
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


def look_schedule(min_pairs: int, max_pairs: int, growth: float = LOOK_GROWTH) -> tuple[int, ...]:
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
        max_pairs: int = MAX_PAIRS,
        min_pairs: int = MIN_PAIRS,
        growth: float = LOOK_GROWTH,
        overall: float = REPORTED_CONFIDENCE,
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

    def estimate(self, confidence: float = REPORTED_CONFIDENCE) -> RatioEstimate:
        """A nominal (not sequentially widened) interval over all pairs, for reports."""
        return self._interval(self.pairs, confidence)

    def decision(self, at_most: float) -> Decision:
        """The decision at the latest planned look reached; ``undecided`` before it."""
        look = self.last_look
        return "undecided" if look is None else decide_ratio(look, at_most)
