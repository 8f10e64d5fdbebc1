"""The Theil-Sen slope and Sen's interval of measure.trend are scipy's, without importing scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from signoff.measure.trend import theil_sen


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.98])
def test_theil_sen_is_scipys(seed: int, confidence: float) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(4, 12)
    x = np.repeat(np.log(256.0 * 2.0 ** np.arange(sizes)), rng.integers(1, 5))  # repeated sizes: ties in x
    y = 0.1 * x + rng.normal(0, 0.2, x.size)
    if seed % 3 == 0:
        y = np.round(y, 1)  # ties in y too
    ours = theil_sen(x, y, confidence)
    slope, _intercept, low, high = stats.theilslopes(y, x, alpha=confidence)
    assert ours == pytest.approx((slope, low, high), abs=1e-12)


def test_a_steeper_slope_is_caught_and_its_interval_holds_it() -> None:
    x = np.log(256.0 * 2.0 ** np.arange(8)).repeat(3)
    y = 1.0 * x + np.tile([0.0, 0.05, -0.05], 8)
    slope, low, high = theil_sen(x, y, 0.98)
    assert slope == pytest.approx(1.0) and low <= 1.0 <= high and low > 0.8
