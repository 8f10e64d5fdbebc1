"""The tuned numbers of the measurement core, in one place, each with the reason for its value.

Every cost verdict of signoff rests on these: change one here and every
front-end (``check``, ``sql``, ``batch``) moves with it. Each was tuned on
the benches in ``bench/`` (results in docs/BENCHMARKS.md) and the synthetic
cases of ``tests/measure``; a change is measured there first.
"""

from __future__ import annotations

from typing import Final

# ---- the paired sequential ratio test (``intervals``, ``paired``)
# The sequential test's first look: bootstrap tails are unreliable with fewer pairs.
MIN_PAIRS: Final = 16
# Its last: a close case decides within this many pairs or not at all (14 looks from 16).
MAX_PAIRS: Final = 300
# Between them, each look has this many times the pairs of the one before: looks
# often enough that a clear case ends early, few enough that the Pocock correction
# for looking 14 times stays mild.
LOOK_GROWTH: Final = 1.25
# Overall confidence of the sequential decision, across all its looks: 98%
# two-sided, so a true ratio at the bound is judged wrongly either way at most
# 1% of the time (the A/A target), and a ratio well inside it far less often.
DECISION_CONFIDENCE: Final = 0.98
# The interval reported beside the decision (``ci95``): nominal, over all pairs.
REPORTED_CONFIDENCE: Final = 0.95
# Early verdicts for huge margins, so a 20,000x candidate is not timed for
# minutes. Sign test: when each of the first SIGN_PAIRS pairs is over 10x the
# bound, the chance of that under a true ratio at the bound is at most
# 0.5**SIGN_PAIRS (0.4%). Gross margin: back-to-back batches of the same code
# never differ by 100x on this kind of machine, so GROSS_PAIRS pairs each over
# 100x the bound are not noise.
SIGN_PAIRS: Final = 8
SIGN_MARGIN: Final = 10.0
GROSS_PAIRS: Final = 4
GROSS_MARGIN: Final = 100.0

# ---- growth (``fit``, ``growth``)
# A class is fitted from at least this many distinct sizes: with up to three
# parameters a class, fewer leave neighbours (n and n log n) within noise of each other.
MIN_SIZES: Final = 8
# And the largest size at least this many times the smallest (specs with less are
# refused when they load): over a narrower range O(n log n) pulls away from O(n)
# by under 1.4x, within the noise of timing, and the ratio growth of TREND_LIMIT
# that a failing verdict needs is out of reach of most slower classes.
MIN_SIZE_SPAN: Final = 16
# Defaults of classify_growth, tuned on bench/growth_classification.py and on
# synthetic curves (noise, outliers, lower-order terms; tests/measure/test_fit.py).
DEFAULT_MARGIN: Final = 5.0
DEFAULT_OUTLIER_SCALE: Final = 0.15
NOISE_FLOOR: Final = 0.01
MAX_MISFIT: Final = 0.15
DEFAULT_SAME_CURVE: Final = 0.04
# A growing term must carry >= 10% of the fitted time at >= 3 sizes: a class whose
# growth rests on one or two sizes (n^3 through an outlier at the top) is no rival.
SUPPORT_SHARE: Final = 0.1
SUPPORT_SIZES: Final = 3
# The median polish needs this many complete rounds over the sizes; with fewer, the
# fastest time per size is the summary (a median of two is no shield against a slow spell).
MIN_ROUNDS: Final = 3
# Where sizes are revisited, the probe (each size once) may spend at most this
# share of the budget; the repetitions in rounds get the rest.
PROBE_SHARE: Final = 0.5
# An explosion: the candidate is this many times slower than the reference at a
# size, the ratio has grown this much since the smallest size, and one call
# takes at least EXPLOSION_SECONDS. A ratio grown 8-fold at 1000x is no noise
# (back-to-back timings of the same code differ by a few times at worst under
# load), and larger sizes would only cost more time.
EXPLOSION_RATIO: Final = 1000.0
EXPLOSION_GROWTH: Final = 8.0
EXPLOSION_SECONDS: Final = 0.05
# A candidate call this long stops the sizes: each larger one costs at least as
# much again per repeat, and the budget is only checked between sizes.
MAX_CALL_SECONDS: Final = 2.0
# The candidate/reference ratio may grow this much from the smallest size to the
# largest and still keep pace (``trend``): an O(log n) candidate against an O(1)
# reference stays under 1.8 over 1,000..1,000,000, O(n log n) against O(n) under
# 1.9 over 256..32,768, and cache effects of a larger working set (a flat 0.78
# ending at 1.06) under 1.4; one that scans grows it a hundredfold. Growth
# against the reference fails when the ratio's interval at DECISION_CONFIDENCE
# lies above this, and passes when it lies at or below.
TREND_LIMIT: Final = 2.0
# The ratio's growth is fitted from at least this many sizes: fewer leave one
# disturbed size free to tilt the slope.
MIN_RATIO_SIZES: Final = 4
