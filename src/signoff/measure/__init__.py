"""The measurement core: every statistical rule of the cost checks, once.

- ``intervals``: the paired log-ratio interval (BCa bootstrap), Pocock's
  sequential boundary and ``SequentialRatioTest``;
- ``paired``: the paired sequential ratio procedure around a caller's
  ``measure_pair()`` (``speed``, the SQL ratio invariants, batch speed);
- ``fit``: growth classes fitted to times per size;
- ``rules``: the tuned numbers of all of them, each with why, in one place;
- ``growth``: the growth procedure around a caller's ``measure_at(size, first)``
  (``scaling``, the SQL scaling invariants): schedule, size summary,
  explosion, and the comparison against the reference or a bound.

Numbers in, decisions out: nothing here starts a worker or prints. The
callers time their subjects; the procedures word their decisions as check
results (``RatioRun.result``, ``judge_growth``), the callers add their own
evidence.
"""

from __future__ import annotations

from signoff.measure._numeric import Pair, preload_scipy
from signoff.measure.fit import AMBIGUOUS, GROWTH_CLASSES, GrowthFit, classify_growth
from signoff.measure.growth import GrowthJudgement, GrowthRun, judge_growth, measure_growth
from signoff.measure.intervals import RatioEstimate, SequentialRatioTest, paired_log_ratio_interval
from signoff.measure.paired import RatioRun, measure_ratio
from signoff.measure.rules import MAX_PAIRS, MIN_PAIRS, MIN_SIZES

__all__ = [
    "AMBIGUOUS",
    "GROWTH_CLASSES",
    "MAX_PAIRS",
    "MIN_PAIRS",
    "MIN_SIZES",
    "Pair",
    "GrowthFit",
    "GrowthJudgement",
    "GrowthRun",
    "RatioEstimate",
    "RatioRun",
    "SequentialRatioTest",
    "classify_growth",
    "judge_growth",
    "measure_growth",
    "measure_ratio",
    "paired_log_ratio_interval",
    "preload_scipy",
]
