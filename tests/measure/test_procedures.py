"""The two procedures of the measurement core on synthetic times: no worker, no clock.

``measure_ratio`` and ``measure_growth`` only see the numbers their callers
hand them, so every rule (when to stop, what decides, how a fault is handed
back) is tested here on times drawn from known distributions.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import pytest

from signoff.measure.growth import GrowthRun, judge_growth, measure_growth
from signoff.measure.paired import measure_ratio
from signoff.measure.rules import EXPLOSION_RATIO, GROSS_PAIRS, MAX_PAIRS, MIN_PAIRS, MIN_SIZES

BUDGET_S = 600.0  # never reached: these procedures are judged on the pairs they are given


@dataclass(frozen=True)
class Broke:
    """A fault of the caller's own type, as the procedures must hand it back."""

    unfit: bool
    description: str = "timed out"


def pairs_of(ratio: float, noise: float, seed: int):
    rng = np.random.default_rng(seed)

    def measure_pair() -> tuple[float, float]:
        reference = 1e-3 * rng.lognormal(0.0, noise)
        return reference, ratio * 1e-3 * rng.lognormal(0.0, noise)

    return measure_pair


@pytest.mark.parametrize("seed", range(5))
def test_a_candidate_as_fast_as_the_reference_passes_on_the_interval(seed: int) -> None:
    run = measure_ratio(pairs_of(1.0, 0.05, seed), at_most=1.2, budget_s=BUDGET_S, seed=seed)
    assert (run.decision, run.decided_by) == ("pass", "interval")
    assert MIN_PAIRS <= len(run.pairs) < MAX_PAIRS
    assert run.estimate is not None and 0.9 < run.estimate.ratio < 1.1


def test_a_candidate_half_again_slower_than_the_bound_fails_on_the_interval() -> None:
    run = measure_ratio(pairs_of(1.8, 0.05, 1), at_most=1.2, budget_s=BUDGET_S, seed=1)
    assert (run.decision, run.decided_by) == ("fail", "interval")
    assert run.result("speed", lambda r: f"{r:.3g}x", "pair", {}).verdict == "fail"


def test_a_huge_margin_fails_after_the_first_few_pairs() -> None:
    run = measure_ratio(pairs_of(20_000.0, 0.3, 2), at_most=1.2, budget_s=BUDGET_S, seed=2)
    assert (run.decision, run.decided_by) == ("fail", "gross margin")
    assert len(run.pairs) == GROSS_PAIRS
    assert "over 100x the bound" in run.result("speed", str, "pair", {}).summary


def test_a_ratio_at_the_bound_is_undecided_when_the_pairs_run_out() -> None:
    run = measure_ratio(pairs_of(1.2, 0.3, 3), at_most=1.2, budget_s=BUDGET_S, seed=3, max_pairs=MIN_PAIRS)
    assert len(run.pairs) == MIN_PAIRS
    assert run.decision == "undecided" and run.verdict == "inconclusive"


def test_a_fault_ends_the_pairs_and_is_handed_back_as_it_is() -> None:
    good = pairs_of(1.0, 0.05, 4)
    calls = iter(range(100))
    broke = Broke(unfit=True)

    def measure_pair() -> tuple[float, float] | Broke:
        return broke if next(calls) == 5 else good()

    run = measure_ratio(measure_pair, at_most=1.2, budget_s=BUDGET_S, seed=4)
    assert run.fault is broke and len(run.pairs) == 5


SIZES = [1000 * 2**k for k in range(10)]


def times_of(reference, candidate, seed: int, *, faults=None):
    """``measure_at`` over synthetic seconds ``reference(n)``, ``candidate(n)`` with 3% noise."""
    rng = np.random.default_rng(seed)

    def measure_at(size: int, first: bool) -> tuple[float, float] | Broke:
        if faults and size in faults:
            return faults[size]
        return reference(size) * rng.lognormal(0, 0.03), candidate(size) * rng.lognormal(0, 0.03)

    return measure_at


@pytest.mark.parametrize("revisit", [True, False])
def test_a_candidate_of_the_references_class_keeps_pace(revisit: bool) -> None:
    measure_at = times_of(lambda n: 1e-7 * n, lambda n: 3e-7 * n, seed=5)
    run = measure_growth(SIZES, measure_at, repeats=3, budget_s=BUDGET_S, revisit=revisit,
                         rng=random.Random(5))
    assert run.sizes == tuple(SIZES) and all(len(run.samples[n]) == 3 for n in SIZES)
    judged = judge_growth(run, "reference")
    assert judged.verdict == "pass", judged.summary
    assert judged.evidence["candidate_class"] == judged.evidence["reference_class"] == "O(n)"


def test_a_quadratic_candidate_fails_against_a_linear_reference() -> None:
    measure_at = times_of(lambda n: 1e-6 * n, lambda n: 1e-12 * n * n, seed=6)
    run = measure_growth(SIZES, measure_at, repeats=3, budget_s=BUDGET_S, revisit=True, rng=random.Random(6))
    assert run.stop == ""  # 1e-6 n^2 / n stays under the explosion ratio here
    judged = judge_growth(run, "reference")
    assert judged.verdict == "fail", judged.summary
    assert judged.evidence["candidate_class"] == "O(n^2)"


def test_an_explosion_stops_the_sizes_and_fails_before_the_fit_has_enough() -> None:
    # Ratio 0.1 n: 100x at the first size, over EXPLOSION_RATIO (and 8x grown) at 16,000.
    measure_at = times_of(lambda n: 1e-8 * n, lambda n: 1e-9 * n * n, seed=7)
    run = measure_growth(SIZES, measure_at, repeats=3, budget_s=BUDGET_S, revisit=True, rng=random.Random(7))
    assert run.stop == "explosion" and run.sizes[-1] == 16_000 and len(run.sizes) < MIN_SIZES
    assert run.ratios()[-1] >= EXPLOSION_RATIO
    judged = judge_growth(run, "reference")
    assert judged.verdict == "fail" and "explodes" in judged.summary


def test_a_size_the_candidate_cannot_do_stops_the_sizes_and_fails() -> None:
    measure_at = times_of(lambda n: 1e-7 * n, lambda n: 1e-7 * n, seed=8,
                          faults={8000: Broke(unfit=True, description="timed out after 10 s")})
    run = measure_growth(SIZES, measure_at, repeats=3, budget_s=BUDGET_S, revisit=True, rng=random.Random(8))
    assert run.stop == "unfit" and run.sizes == (1000, 2000, 4000) and run.fault is None
    judged = judge_growth(run, "reference")
    assert judged.verdict == "fail" and "timed out after 10 s at size 8000" in judged.summary


def test_a_fault_that_is_not_the_candidates_is_handed_back_with_the_sizes_measured() -> None:
    broke = Broke(unfit=False, description="the reference crashed")
    measure_at = times_of(lambda n: 1e-7 * n, lambda n: 1e-7 * n, seed=9, faults={4000: broke})
    run = measure_growth(SIZES, measure_at, repeats=3, budget_s=BUDGET_S, revisit=True, rng=random.Random(9))
    assert run.fault is broke and run.fault_size == 4000 and run.sizes == (1000, 2000)


def test_rounds_are_summarised_by_the_median_polish_and_back_to_back_repeats_by_the_fastest() -> None:
    truth = [1e-6 * n for n in SIZES]
    slow_round = 2  # a busy spell slows every size of one round threefold
    samples = {n: tuple((t * (3.0 if r == slow_round else 1.0) * (1 + 0.01 * r), t) for r in range(5))
               for n, t in zip(SIZES, truth, strict=True)}
    in_rounds = GrowthRun(tuple(SIZES), samples, "", "", BUDGET_S, rounds=True)
    back_to_back = GrowthRun(tuple(SIZES), samples, "", "", BUDGET_S, rounds=False)
    two_rounds = GrowthRun(tuple(SIZES), {n: pairs[:2] for n, pairs in samples.items()}, "", "", BUDGET_S,
                           rounds=True)
    assert two_rounds.seconds("reference") == pytest.approx(truth)  # under MIN_ROUNDS: the fastest
    assert back_to_back.seconds("reference") == pytest.approx(truth)  # round 0, the fastest
    assert np.allclose(np.array(in_rounds.seconds("reference")) / truth, 1.02, rtol=0.01)


def loaded_times(reference, candidate, seed: int, *, shared: float, own: float):
    """Times on a busy machine: each pair shares a slowdown (lognormal ``shared``: a busy spell
    slows both sides of a back-to-back pair) on top of each side's own noise (``own``)."""
    rng = np.random.default_rng(seed)

    def measure_at(size: int, first: bool) -> tuple[float, float]:
        spell = rng.lognormal(0, shared)
        return (reference(size) * spell * rng.lognormal(0, own),
                candidate(size) * spell * rng.lognormal(0, own))

    return measure_at


WIDE = [256 * 2**k for k in range(8)]  # 256 .. 32,768, as a spec would ask


@pytest.mark.parametrize("seed", range(20))
def test_the_same_code_keeps_pace_however_hard_a_busy_machine_bends_both_curves(seed: int) -> None:
    # A slowdown up to 3x shared by the two sides of a pair: enough to bend a fitted class.
    measure_at = loaded_times(lambda n: 1e-7 * n, lambda n: 1e-7 * n, seed, shared=0.6, own=0.05)
    run = measure_growth(WIDE, measure_at, repeats=5, budget_s=BUDGET_S, revisit=True,
                         rng=random.Random(seed))
    judged = judge_growth(run, "reference")
    assert judged.verdict == "pass", judged.summary
    low, high = judged.evidence["ratio_growth_interval"]
    assert low <= 1.0 <= high and "keeps pace" in judged.summary


@pytest.mark.parametrize("seed", range(10))
def test_a_rewrite_whose_ratio_jumps_at_the_largest_size_still_keeps_pace(seed: int) -> None:
    # The case: a flat 0.78 of the reference's time, then 1.06 at the largest size
    # (a working set past a cache). Two fitted classes could call that a class apart.
    def candidate(n: int) -> float:
        return 1e-7 * n * (1.06 if n == WIDE[-1] else 0.78)

    measure_at = loaded_times(lambda n: 1e-7 * n, candidate, seed, shared=0.3, own=0.05)
    judged = judge_growth(measure_growth(WIDE, measure_at, repeats=5, budget_s=BUDGET_S, revisit=True,
                                         rng=random.Random(seed)), "reference")
    assert judged.verdict == "pass", judged.summary
    assert judged.evidence["ratio_growth"] < 1.4


@pytest.mark.parametrize(("reference", "candidate", "least"), [
    (lambda n: 1e-7 * n, lambda n: 1e-10 * n * n, 100.0),  # O(n) -> O(n^2)
    (lambda n: 1e-6 * math.log2(n), lambda n: 1e-8 * n, 50.0),  # O(log n) -> O(n)
    (lambda n: 1e-6, lambda n: 1e-8 * n, 100.0),  # O(1) -> O(n)
])
def test_a_class_worse_than_the_reference_falls_behind(reference, candidate, least: float) -> None:
    measure_at = loaded_times(reference, candidate, 3, shared=0.6, own=0.05)
    run = measure_growth(WIDE, measure_at, repeats=5, budget_s=BUDGET_S, revisit=True, rng=random.Random(3))
    assert run.stop == ""  # no explosion: the ratio decides
    judged = judge_growth(run, "reference")
    assert judged.verdict == "fail" and "falls behind the reference" in judged.summary, judged.summary
    assert judged.evidence["ratio_growth_interval"][0] > 2.0 and judged.evidence["ratio_growth"] > least


def test_pairs_too_noisy_for_the_margin_are_inconclusive_and_say_so() -> None:
    # Each side's own noise (not shared by the pair) of several times: nothing can be told.
    measure_at = loaded_times(lambda n: 1e-7 * n, lambda n: 1e-7 * n, 4, shared=0.0, own=1.5)
    run = measure_growth(WIDE, measure_at, repeats=3, budget_s=BUDGET_S, revisit=True, rng=random.Random(4))
    judged = judge_growth(run, "reference")
    assert judged.verdict == "inconclusive", judged.summary
    assert "straddling the limit" in judged.summary and "too noisy" in judged.summary
    assert judged.evidence["noise"] > math.log(2.0)


@pytest.mark.parametrize("revisit", [True, False])
def test_a_size_the_candidate_overruns_on_a_repeat_keeps_every_size_it_did(revisit: bool) -> None:
    # The candidate is quadratic; its third timing at 32,000 times out (the first two did not).
    rng = np.random.default_rng(11)
    seen: dict[int, int] = {}

    def measure_at(size: int, first: bool) -> tuple[float, float] | Broke:
        seen[size] = seen.get(size, 0) + 1
        if size == 32_000 and seen[size] == 3:
            return Broke(unfit=True, description="timed out after 5 s")
        return 1e-7 * size * rng.lognormal(0, 0.03), 1e-10 * size * size * rng.lognormal(0, 0.03)

    run = measure_growth(SIZES, measure_at, repeats=5, budget_s=BUDGET_S, revisit=revisit,
                         rng=random.Random(11))
    assert run.fault is None and run.stop == "unfit"
    assert run.sizes[:6] == (1000, 2000, 4000, 8000, 16_000, 32_000)
    judged = judge_growth(run, "reference")
    assert judged.verdict == "fail"
    assert "timed out after 5 s at size 32000" in judged.summary
    # The lower bound: what it did before the overrun, beside what the reference did.
    assert "its time grew" in judged.summary and "while the reference's grew" in judged.summary
    assert judged.evidence["sizes"] == list(run.sizes)
    assert len(judged.evidence["candidate_seconds"]) == len(run.sizes)
