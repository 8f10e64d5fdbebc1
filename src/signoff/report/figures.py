"""The report's figures: each evidence layout of a check drawn as an SVG plot.

Built on ``svg`` (axes, plots, bars): a speed check's pairs as ratios with
the bound and the interval, a scaling check's seconds (or counted
instructions) per size with the fitted curves, a memory check's peaks as
bars. Evidence comes from stored JSON, so every value is checked (``number``,
``numbers``) before it is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from signoff.measure.fit import GROWTH_CLASSES, fitted_times
from signoff.report.svg import (
    MAX_POINTS,
    Axis,
    Formatter,
    Marker,
    Plot,
    bars,
    bytes_formatter,
    format_number,
    format_ratio,
    format_seconds,
    number,
    numbers,
    subsample,
)

REFERENCE_COLOR = "#0550ae"
CANDIDATE_COLOR = "#bc4c00"


@dataclass(frozen=True, slots=True)
class Quantity:
    """What a cost check measured per call: its evidence keys end in ``key``; ``what`` names it
    in a ratio ("time", "instructions"); ``fmt`` writes one value."""

    key: str
    what: str
    fmt: Formatter


SECONDS = Quantity("seconds", "time", format_seconds)
INSTRUCTIONS = Quantity("instructions", "instructions", format_number)


def quantity(evidence: Mapping[str, object]) -> Quantity:
    """The quantity of a speed or scaling check's evidence (``measure``; time when absent)."""
    return INSTRUCTIONS if evidence.get("measure") == "instructions" else SECONDS
def growth_plot(sizes: Sequence[float], sides: Sequence[tuple[str, Sequence[float], str, Marker]],
                curves: Sequence[tuple[str, str, float, float]], per_call: Quantity = SECONDS) -> str:
    """Log-log seconds (or another ``per_call`` quantity) against size: ``sides`` are (label,
    values, colour, marker) point sets, ``curves`` (label, growth class, a, b) fitted curves drawn
    in the colour of the side they name."""
    usable = [n for n in sizes if math.isfinite(n) and n > 0]
    low, high = min(usable, default=1.0), max(usable, default=1.0)
    smooth = [low * (high / low) ** (k / 60) for k in range(61)]
    drawn: list[tuple[str, list[float], str]] = []
    for label, growth, a, b in curves:
        ys = fitted_times(growth, a, b, smooth) if usable else None
        if ys is not None:
            color = REFERENCE_COLOR if label.startswith("reference") else CANDIDATE_COLOR
            drawn.append((label, ys, color))
    every_y = [y for _, ys, _, _ in sides for y in ys] + [y for _, ys, _ in drawn for y in ys]
    plot = Plot(f"{per_call.key} per call against input size (log-log)",
                Axis.fit("input size", list(sizes), log=True),
                Axis.fit(f"{per_call.key} per call", every_y, log=True, fmt=per_call.fmt))
    for label, ys, color in drawn:
        plot.line(smooth, ys, color=color, label=label, dash="6 4", width=1.6)
    for label, seconds, color, marker in sides:
        plot.points(sizes, seconds, color=color, marker=marker, label=label)
    return plot.render()


def ratio_plot(ratios: Sequence[float], *, at_most: float | None, ratio: float | None,
               ci95: tuple[float, float] | None, indices: Sequence[int], per_call: Quantity = SECONDS) -> str:
    """Per-pair candidate/reference time (or ``per_call``) ratios (log scale) by pair number, with
    the 95% interval as a band, the estimate and the threshold as lines."""
    pair_numbers = [float(i + 1) for i in indices]
    extra = [v for v in (at_most, ratio, *(ci95 or ())) if v is not None]
    what = per_call.what
    plot = Plot(f"candidate/reference {what} per pair",
                Axis.fit("pair", pair_numbers + [1.0], log=False, zero=False),
                Axis.fit(f"candidate {what} / reference {what}", list(ratios) + extra, log=True,
                         fmt=format_ratio))
    if ci95 is not None:
        plot.band(ci95[0], ci95[1], color=REFERENCE_COLOR, label="95% interval of the ratio")
    plot.points(pair_numbers, ratios, color="#6639ba", marker="circle", label="pair ratio")
    if ratio is not None:
        plot.hline(ratio, color=REFERENCE_COLOR, label=f"estimate {format_ratio(ratio)}")
    if at_most is not None:
        plot.hline(at_most, color="#cf222e", label=f"threshold at_most {format_ratio(at_most)}", dash="7 4")
    return plot.render()


# ---------------------------------------------------------- figures from evidence


def _figure(plot: str, shown: int, total: int, what: str) -> str:
    note = (f'<figcaption class="note">Showing {shown:,} of {total:,} {what}, evenly spaced.</figcaption>'
            if shown < total else "")
    return f'<figure class="plot">{plot}{note}</figure>'


def speed_figure(evidence: Mapping[str, object]) -> str:
    """The ``speed`` evidence's per-pair ratios as a figure, or a note when it has none."""
    per_call = quantity(evidence)
    pairs = evidence.get(f"pair_{per_call.key}")
    if not isinstance(pairs, list) or not pairs:
        return '<p class="note">No per-pair measurements in this report.</p>' if "ratio" in evidence else ""
    ratios = []
    for pair in pairs:
        reference, candidate = (numbers(pair) + [math.nan, math.nan])[:2]
        ratios.append(candidate / reference if reference > 0 and candidate > 0 else math.nan)
    keep = subsample(len(ratios), MAX_POINTS)
    interval = numbers(evidence.get("ci95"))
    plot = ratio_plot([ratios[i] for i in keep], indices=keep, at_most=number(evidence.get("at_most")),
                      ratio=number(evidence.get("ratio")),
                      ci95=(interval[0], interval[1]) if len(interval) == 2 else None, per_call=per_call)
    return _figure(plot, len(keep), len(ratios), "pairs")


def scaling_figure(evidence: Mapping[str, object]) -> str:
    """The ``scaling`` evidence's seconds (or instructions) per size, both sides and their fitted
    curves."""
    per_call = quantity(evidence)
    sizes = numbers(evidence.get("sizes"))
    keep = subsample(len(sizes), MAX_POINTS)
    sides: list[tuple[str, Sequence[float], str, Marker]] = []
    markers: tuple[Marker, Marker] = ("circle", "square")
    for side, color, marker in zip(("reference", "candidate"), (REFERENCE_COLOR, CANDIDATE_COLOR), markers,
                                   strict=True):
        values = numbers(evidence.get(f"{side}_{per_call.key}"))
        growth = evidence.get(f"{side}_class")
        label = f"{side} ({growth})" if isinstance(growth, str) and len(growth) < 40 else side
        sides.append((label, [values[i] if i < len(values) else math.nan for i in keep], color, marker))
    curves = [curve for side in ("reference", "candidate") if (curve := _curve(evidence, side))]
    plot = growth_plot([sizes[i] for i in keep], sides, curves, per_call)
    return _figure(plot, len(keep), len(sizes), "sizes")


def _curve(evidence: Mapping[str, object], side: str) -> tuple[str, str, float, float] | None:
    """(label, class, a, b) of the side's fitted curve: its named class, else its best fit."""
    fit = evidence.get(f"{side}_fit")
    coefficients = fit.get("coefficients") if isinstance(fit, Mapping) else None
    if not isinstance(fit, Mapping) or not isinstance(coefficients, Mapping):
        return None
    named = evidence.get(f"{side}_class")
    growth = named if isinstance(named, str) and named in coefficients else fit.get("best")
    pair = numbers(coefficients.get(growth)) if isinstance(growth, str) else []
    if len(pair) != 2 or not all(math.isfinite(x) for x in pair) or growth not in GROWTH_CLASSES:
        return None
    return f"{side} fit {growth}", str(growth), pair[0], pair[1]


def memory_figure(evidence: Mapping[str, object]) -> str:
    """The ``memory`` evidence's peak bytes per run, per side."""
    rows = [(side, numbers(evidence.get(f"{side}_bytes")), color)
            for side, color in (("reference", REFERENCE_COLOR), ("candidate", CANDIDATE_COLOR))]
    if not any(values for _, values, _ in rows):
        return ""
    peak = max((v for _, values, _ in rows for v in values if math.isfinite(v)), default=1.0)
    fmt, unit = bytes_formatter(peak)
    plot = bars("peak memory per run", rows, fmt=fmt, unit=unit,
                axis_label="peak memory (bar: median of the runs, marks: each run)")
    return f'<figure class="plot">{plot}</figure>'
