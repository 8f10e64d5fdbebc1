"""The growth procedure: time each size on both sides, stop early when the candidate
explodes, and judge its growth against the reference or a bound.

One procedure for every growth check (``scaling`` and the SQL scaling
invariants). The caller gives ``measure_at(size, first)``: with ``first`` it
makes the size ready (builds the input or grows the table, checks answers,
calibrates each side) and returns the first pair of times ``(reference,
candidate)``; after that, one more pair at that size; or a fault of the
caller's own type, which ends the procedure and is handed back (unless it
says the candidate cannot do a size, see below). The rules, each once:

- **Schedule.** Sizes smallest first, ``repeats`` pairs each. Where sizes can
  be visited again (``revisit``: a fresh input per size), the first pair of
  every size comes first (the probe, at most PROBE_SHARE of the budget), then
  the other repeats in rounds over all sizes, each in a new random order, so
  a slow spell of the machine is spread over sizes instead of bending a few;
  where they cannot (a table grown in place), all repeats of a size are taken
  before the next. New sizes start only while the budget lasts, but at least
  ``rules.MIN_SIZES`` are measured when the sizes allow.
- **Size summary.** With rounds (``revisit``), Tukey's median polish of each
  side's times over the complete rounds (``fit.size_medians``): a busy spell
  of the machine slows a whole round, and the polish takes each round's
  factor out before the median per size. Without rounds (a table grown in
  place: the repeats of a size are back to back), or with fewer than
  MIN_ROUNDS complete ones, the fastest time at each size: other work only
  ever adds time. Under two CPU hogs the polish names the class right 98% of
  the time, the fastest 85% (bench/growth_classification.py, both 0% wrong).
- **Stopping early.** An explosion (the candidate over EXPLOSION_RATIO times
  the reference's time, that ratio EXPLOSION_GROWTH times its value at the
  smallest size, and a call of at least EXPLOSION_SECONDS) fails the check
  without running larger sizes; so does a candidate that cannot do a size at
  all (it times out or runs out of memory where the reference did not), in
  the probe or in a later round: every size it did finish is kept, shown and
  fitted, and the summary states the overrun as a lower bound. A candidate
  call of MAX_CALL_SECONDS or more stops the sizes and the check is judged on
  those already measured.
- **Against the reference** (``bound="reference"``): the pairs decide, not
  the fitted classes. ``trend.ratio_growth`` fits how the paired ratio
  candidate/reference grows with size, with an interval at
  DECISION_CONFIDENCE; fail when the interval lies above TREND_LIMIT, pass
  when it lies at or below, otherwise inconclusive (and the summary says when
  the machine's noise was wider than the margin). A busy spell slows both
  sides of a pair, so load that bends both curves leaves the ratio flat. The
  fitted classes are reported beside it as information.
- **Against a class** (``bound="O(n log n)"``): two measures must agree: the
  fitted classes (``fit.classify_growth``; an ambiguous fit counts as its best
  two) and the ratio's growth. The bound is raised to the reference's own
  class where the reference clearly grows faster: what the reference does on
  this machine is never held against a candidate. Fail when even the
  candidate's best class is worse than the bound and the ratio grew more than
  TREND_LIMIT; pass when the ratio grew at most TREND_LIMIT and the
  candidate's best class is within the bound or one the reference plausibly
  has; otherwise inconclusive.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from signoff.measure._numeric import Pair
from signoff.measure.fit import AMBIGUOUS, GrowthFit, classify_growth, growth_rank, size_medians
from signoff.measure.rules import (
    DECISION_CONFIDENCE,
    EXPLOSION_GROWTH,
    EXPLOSION_RATIO,
    EXPLOSION_SECONDS,
    MAX_CALL_SECONDS,
    MIN_RATIO_SIZES,
    MIN_ROUNDS,
    MIN_SIZES,
    PROBE_SHARE,
    TREND_LIMIT,
)
from signoff.measure.trend import RatioGrowth, noise, ratio_growth, too_noisy
from signoff.progress import BudgetProgress
from signoff.verdict import Verdict

Stop = Literal["", "budget", "explosion", "unfit", "long call"]


class SizeFault(Protocol):
    """A fault the size callable returns; ``unfit``: the candidate cannot do the size (it timed
    out, ran out of memory) where the reference could, said by ``description``."""

    @property
    def unfit(self) -> bool: ...

    @property
    def description(self) -> str: ...


F = TypeVar("F", bound=SizeFault)


@dataclass(frozen=True, slots=True)
class GrowthRun(Generic[F]):
    """The sizes measured (smallest first), every pair at each, why the sizes stopped early,
    or the fault that ended the procedure at ``fault_size``."""

    sizes: tuple[int, ...]
    samples: Mapping[int, tuple[Pair, ...]]
    stop: Stop
    stopped: str  # why the sizes stopped early, in words; "" when they did not
    budget_s: float
    fault: F | None = None
    fault_size: int = 0
    rounds: bool = False  # the pairs at each size were taken in rounds over all the sizes

    def seconds(self, role: Literal["reference", "candidate"]) -> list[float]:
        """The size summary of one side (see the module docstring): the median polish over the
        complete rounds when there are MIN_ROUNDS of them, else the fastest time at each size."""
        side = 0 if role == "reference" else 1
        complete = min((len(self.samples[size]) for size in self.sizes), default=0)
        if self.rounds and complete >= MIN_ROUNDS:
            table = [[self.samples[size][r][side] for size in self.sizes] for r in range(complete)]
            return [float(seconds) for seconds in size_medians(table)]
        return [min(pair[side] for pair in self.samples[size]) for size in self.sizes]

    def ratios(self) -> list[float]:
        """Candidate/reference at each size, of the size summaries."""
        reference, candidate = self.seconds("reference"), self.seconds("candidate")
        return [c / r for r, c in zip(reference, candidate, strict=True)]

    def ratio_growth(self) -> RatioGrowth | None:
        """How candidate/reference grew over the sizes, from every pair (``trend.ratio_growth``)."""
        return ratio_growth(self.samples, DECISION_CONFIDENCE)

    def noise(self) -> float | None:
        """The spread of the reference's repeated timings, the median over the sizes."""
        return noise([[reference for reference, _ in self.samples[size]] for size in self.sizes])


def measure_growth(sizes: list[int], measure_at: Callable[[int, bool], Pair | F], *, repeats: int,
                   budget_s: float, revisit: bool, rng: random.Random,
                   size_name: Callable[[int], str] = "size {}".format,
                   progress: BudgetProgress | None = None) -> GrowthRun[F]:
    """Measure the sizes by the schedule and stopping rules of the module docstring."""
    start = time.monotonic()
    deadline = start + budget_s
    probe_deadline = start + budget_s * (PROBE_SHARE if revisit else 1.0)
    ordered = sorted(sizes)
    samples: dict[int, list[Pair]] = {}
    measured: list[int] = []
    stop: Stop = ""
    stopped = ""

    def take(size: int, first: bool) -> F | None:
        result = measure_at(size, first)
        if isinstance(result, tuple):
            samples.setdefault(size, []).append(result)
            return None
        return result

    for size in ordered:
        if time.monotonic() >= probe_deadline and len(measured) >= MIN_SIZES:
            stop, stopped = "budget", f"the budget of {budget_s:g} s ran out before {size_name(size)}"
            break
        fault = take(size, True)
        if fault and fault.unfit and measured:  # past the first size: the sizes stop here
            stop, stopped = "unfit", _overran(fault, size, size_name)
            break
        for _ in range(0 if revisit or fault else repeats - 1):
            fault = take(size, False)
            if fault:
                break
        if fault and fault.unfit and size in samples:  # a repeat overran: keep what it did
            measured.append(size)
            stop, stopped = "unfit", _overran(fault, size, size_name)
            break
        if fault:
            return _ended(measured, samples, budget_s, fault, size)
        measured.append(size)
        if progress:
            progress("probe", len(measured), len(ordered), deadline - time.monotonic())
        stop, stopped = _explosion(measured, samples, size_name)
        if stop:
            break

    decided = ("explosion", "unfit")  # the check fails whatever more rounds would show
    rounds = repeats - 1 if revisit and stop not in decided else 0
    for number in range(rounds):
        if time.monotonic() >= deadline or stop in decided:
            break
        order = list(measured)
        rng.shuffle(order)
        for size in order:
            if time.monotonic() >= deadline:
                break
            fault = take(size, False)
            if fault and fault.unfit:  # every size keeps the pairs it has; no more rounds
                stop, stopped = "unfit", _overran(fault, size, size_name)
                break
            if fault:
                return _ended(measured, samples, budget_s, fault, size)
        if progress:
            progress("repetitions", number + 1, rounds, deadline - time.monotonic())
    return GrowthRun(tuple(measured), {n: tuple(samples[n]) for n in measured}, stop, stopped, budget_s,
                     rounds=revisit)


def _overran(fault: SizeFault, size: int, size_name: Callable[[int], str]) -> str:
    return f"the candidate {fault.description} at {size_name(size)}"


def _ended(measured: list[int], samples: dict[int, list[Pair]], budget_s: float, fault: F,
           size: int) -> GrowthRun[F]:
    kept = {n: tuple(samples[n]) for n in measured}
    return GrowthRun(tuple(measured), kept, "", "", budget_s, fault, size)


def _explosion(measured: list[int], samples: dict[int, list[Pair]],
               size_name: Callable[[int], str]) -> tuple[Stop, str]:
    first, last = measured[0], measured[-1]
    reference = min(r for r, _ in samples[last])
    candidate = min(c for _, c in samples[last])
    ratio = candidate / reference
    first_ratio = min(c for _, c in samples[first]) / min(r for r, _ in samples[first])
    grown = ratio >= EXPLOSION_GROWTH * first_ratio
    if ratio >= EXPLOSION_RATIO and grown and candidate >= EXPLOSION_SECONDS:
        return "explosion", (f"the candidate's time explodes: {ratio:,.0f}x the reference's at "
                             f"{size_name(last)} (was {first_ratio:,.1f}x at {size_name(first)}); "
                             f"larger sizes not run")
    if candidate >= MAX_CALL_SECONDS:
        return "long call", (f"one call took the candidate {candidate:.2f} s at {size_name(last)} "
                             f"({ratio:,.0f}x the reference's); larger sizes not run")
    return "", ""


@dataclass(frozen=True, slots=True)
class GrowthJudgement:
    """A growth check's verdict, its one-line summary and its evidence."""

    verdict: Verdict
    summary: str
    evidence: dict[str, Any]


def judge_growth(run: GrowthRun[Any], bound: str,
                 size_name: Callable[[int], str] = "size {}".format) -> GrowthJudgement:
    """Judge a run against ``bound``: ``"reference"`` or a growth class (see the module docstring)."""
    sizes = list(run.sizes)
    reference, candidate = run.seconds("reference"), run.seconds("candidate")
    evidence: dict[str, Any] = {
        "sizes": sizes, "reference_seconds": reference, "candidate_seconds": candidate,
        "repeats": {role: [len(run.samples[n]) for n in sizes] for role in ("reference", "candidate")},
        "no_worse_than": bound,
    }
    growth = run.ratio_growth()
    if sizes:
        evidence["ratio_at_largest"] = candidate[-1] / reference[-1]
    if growth:
        evidence.update(ratio_growth=growth.growth, ratio_growth_interval=[growth.low, growth.high],
                        ratio_growth_confidence=growth.confidence, ratio_growth_limit=TREND_LIMIT)
    noisy = run.noise()
    if noisy is not None:
        evidence["noise"] = noisy
    if run.stopped:
        evidence["stopped"] = run.stopped
    fits = {role: classify_growth(sizes, seconds) if len(sizes) >= MIN_SIZES else None
            for role, seconds in (("reference", reference), ("candidate", candidate))}
    for role, fit in fits.items():
        evidence[f"{role}_class"] = fit.label if fit else AMBIGUOUS
        if fit:
            evidence[f"{role}_fit"] = {"best": fit.best, "runner_up": fit.runner_up, "misfit": fit.misfit,
                                       "coefficients": {k: list(v) for k, v in fit.coefficients.items()}}
    classes = _classes(fits, len(sizes))
    if run.stop == "explosion":
        evidence["explosion"] = run.stopped
        return GrowthJudgement("fail", f"{run.stopped} ({classes})", evidence)
    if run.stop == "unfit":
        evidence["explosion"] = run.stopped
        return GrowthJudgement("fail", _overran_summary(run.stopped, sizes, reference, candidate, size_name)
                               + f" ({classes})", evidence)
    if sizes:
        classes += f"; {evidence['ratio_at_largest']:.3g}x the reference's time at {size_name(sizes[-1])}"
    if bound == "reference":
        verdict, text = _against_reference(growth, len(sizes), noisy, classes, size_name)
    elif fits["reference"] is None or fits["candidate"] is None or growth is None:
        verdict, text = "inconclusive", (f"only {len(sizes)} sizes measured within the budget of "
                                         f"{run.budget_s:g} s; a growth class needs at least {MIN_SIZES}")
    else:
        verdict, text = _against_class(fits["reference"], fits["candidate"], bound, growth.growth, classes,
                                       evidence)
    return GrowthJudgement(verdict, f"{text}; {run.stopped}" if run.stopped else text, evidence)


def _classes(fits: Mapping[str, GrowthFit | None], sizes: int) -> str:
    """The fitted classes, as information beside the verdict."""
    if fits["reference"] is None or fits["candidate"] is None:
        return f"classes not fitted: {sizes} sizes, a fit needs {MIN_SIZES}"
    return f"candidate {fits['candidate'].label}, reference {fits['reference'].label}"


def _overran_summary(stopped: str, sizes: list[int], reference: list[float], candidate: list[float],
                     size_name: Callable[[int], str]) -> str:
    """A size the candidate could not do, with the growth it showed before as a lower bound."""
    if len(sizes) < 2:
        return stopped
    grew, reference_grew = candidate[-1] / candidate[0], reference[-1] / reference[0]
    return (f"{stopped}; from {size_name(sizes[0])} to {size_name(sizes[-1])} its time grew "
            f"{grew:,.3g}x while the reference's grew {reference_grew:,.3g}x")


def _against_reference(growth: RatioGrowth | None, sizes: int, noisy: float | None, classes: str,
                       size_name: Callable[[int], str]) -> tuple[Verdict, str]:
    """The paired ratio's growth over the sizes, against TREND_LIMIT (module docstring)."""
    if growth is None or sizes < MIN_RATIO_SIZES:
        return "inconclusive", (f"only {sizes} sizes measured; the ratio's growth needs at least "
                                f"{MIN_RATIO_SIZES} ({classes})")
    grew = (f"candidate/reference grew {growth.growth:.3g}x from {size_name(growth.smallest)} to "
            f"{size_name(growth.largest)} ({growth.confidence:.0%} interval {growth.low:.3g}-"
            f"{growth.high:.3g}x, {growth.pairs} pairs")
    if growth.low > TREND_LIMIT:
        return "fail", f"falls behind the reference: {grew}, over the limit {TREND_LIMIT:g}x); {classes}"
    if growth.high <= TREND_LIMIT:
        return "pass", f"keeps pace with the reference: {grew}, within the limit {TREND_LIMIT:g}x); {classes}"
    return "inconclusive", (f"cannot tell: {grew}, straddling the limit {TREND_LIMIT:g}x)"
                            f"{too_noisy(noisy, math.log(TREND_LIMIT))}; {classes}")


def _against_class(reference: GrowthFit, candidate: GrowthFit, bound: str, trend: float, classes: str,
                   evidence: dict[str, Any]) -> tuple[Verdict, str]:
    reference_range, candidate_range = _plausible(reference), _plausible(candidate)
    clear = reference.label != AMBIGUOUS and growth_rank(reference_range[0]) > growth_rank(bound)
    allowed = reference_range[0] if clear else bound
    evidence["allowed"] = allowed
    grows = " or ".join(candidate_range)
    within = growth_rank(candidate_range[0]) <= growth_rank(allowed)
    alike = bool(set(candidate_range) & set(reference_range))
    if not within and trend > TREND_LIMIT:
        return "fail", (f"grows as {grows}, worse than {allowed}, and falls behind the reference "
                        f"(candidate/reference grew {trend:.3g}x over the sizes; {classes})")
    if trend <= TREND_LIMIT and (within or alike):
        pace = f"keeps pace with the reference (candidate/reference grew {trend:.3g}x)"
        if len(candidate_range) == 1:
            how = f"no worse than {allowed}" if within else "as the reference does on this machine"
            return "pass", f"grows as {grows}, {how}, and {pace}; {classes}"
        # An ambiguous fit (say O(1) or O(n^2)) says little alone; the flat ratio decides.
        how = f"the better within {allowed}" if within else "one of them the reference's"
        between = " and ".join(candidate_range)
        return "pass", f"{pace}; the growth fit is ambiguous between {between} ({how}); {classes}"
    return "inconclusive", (f"the fit does not decide: candidate {grows}, bound {allowed}, candidate/"
                            f"reference grew {trend:.3g}x ({classes})")


def _plausible(fit: GrowthFit) -> tuple[str, ...]:
    """The class, or for an ambiguous fit its best two, in order of growth."""
    if fit.label != AMBIGUOUS or fit.runner_up is None:
        return (fit.best if fit.label == AMBIGUOUS else fit.label,)
    return tuple(sorted((fit.best, fit.runner_up), key=growth_rank))
