"""How the candidate/reference ratio grows with size, and how noisy the machine was.

Growth against the reference is judged here from the pairs themselves, not
from two fitted classes: each pair was timed back to back on one input, so a
busy spell slows both sides of it and cancels in its ratio. The log of each
pair's ratio is regressed on the log of its size with Theil and Sen's
estimator (the median of the slopes between points; a few disturbed pairs
cannot tilt it) and Sen's distribution-free interval. The slope, carried over
the sizes measured, is how many times the ratio grew from the smallest size
to the largest: ``exp(slope * log(largest / smallest))``.

A candidate of the reference's class keeps the ratio flat; one a class worse
multiplies it by the size range over a log or more (O(n) against O(log n)
over 1,000..1,000,000: about 100x). The verdict compares the interval with
``rules.TREND_LIMIT`` (``growth.judge_growth``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from signoff.measure._numeric import Pair, special


@dataclass(frozen=True, slots=True)
class RatioGrowth:
    """The ratio's growth from ``smallest`` to ``largest`` size, with its interval at ``confidence``."""

    growth: float
    low: float
    high: float
    confidence: float
    smallest: int
    largest: int
    pairs: int


def ratio_growth(samples: Mapping[int, Sequence[Pair]], confidence: float) -> RatioGrowth | None:
    """The growth of candidate/reference over the sizes of ``samples``; None under two sizes."""
    sizes = sorted(size for size, pairs in samples.items() if pairs)
    if len(sizes) < 2:
        return None
    x = [math.log(size) for size in sizes for _ in samples[size]]
    y = [math.log(candidate / reference) for size in sizes for reference, candidate in samples[size]]
    if len(set(y)) == 1:  # every pair's ratio the same (counts of one code): flat, and Sen's interval
        slope = low = high = 0.0  # is undefined (scipy gives nan, with a warning)
    else:
        slope, low, high = theil_sen(np.asarray(x), np.asarray(y), confidence)
    span = math.log(sizes[-1] / sizes[0])
    return RatioGrowth(math.exp(slope * span), math.exp(low * span), math.exp(high * span), confidence,
                       sizes[0], sizes[-1], len(y))


def theil_sen(x: np.ndarray, y: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Theil and Sen's slope of ``y`` on ``x`` and Sen's (1968, eq. 2.6) interval at ``confidence``.

    What ``scipy.stats.theilslopes`` computes (tests/measure/test_trend.py holds them
    equal), here so that the first growth verdict of a run does not wait for ``import
    scipy.stats``: seconds on a busy machine, more than the verdict itself takes.
    """
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    apart = dx > 0
    slopes = np.sort(dy[apart] / dx[apart])
    if slopes.size == 0:
        return math.nan, math.nan, math.nan
    n = y.size

    def tied(values: np.ndarray) -> float:  # Kendall's variance loses this much per group of ties
        counts = np.unique(values, return_counts=True)[1]
        return float(sum(k * (k - 1) * (2 * k + 5) for k in counts if k > 1))

    variance = (n * (n - 1) * (2 * n + 5) - tied(x) - tied(y)) / 18.0
    z = float(special.ndtri(0.5 + confidence / 2))
    spread = z * math.sqrt(variance) if variance > 0 else 0.0
    upper = min(int(np.round((slopes.size + spread) / 2)), slopes.size - 1)
    lower = max(int(np.round((slopes.size - spread) / 2)) - 1, 0)
    return float(np.median(slopes)), float(slopes[lower]), float(slopes[upper])


def relative_spread(seconds: Sequence[float]) -> float | None:
    """How much repeated timings of the same work spread: the interquartile range over the
    median (0.08: the middle half lies within 8% of the median). None under three timings."""
    if len(seconds) < 3:
        return None
    low, median, high = np.percentile(np.asarray(seconds, dtype=np.float64), [25, 50, 75])
    return float((high - low) / median) if median > 0 else None


def noise(groups: Sequence[Sequence[float]]) -> float | None:
    """The machine's noise during a check: the median relative spread of the reference's
    repeated timings over ``groups`` (one group per size or per unit of work). The
    reference is trusted code doing the same work each time, so its spread is the
    machine's, not a side's."""
    spreads = [s for s in (relative_spread(group) for group in groups) if s is not None]
    return float(np.median(spreads)) if spreads else None


def too_noisy(noisy: float | None, margin: float) -> str:
    """A phrase for an undecided verdict when the machine's noise is wider than the margin asked."""
    if noisy is None or noisy <= margin:
        return ""
    return (f"; the machine was too noisy for this margin: the reference's repeated timings spread "
            f"{noisy:.0%}, the margin is {margin:.0%}")
