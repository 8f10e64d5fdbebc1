"""Small hand-written SVG plots for the HTML report: no plotting library, no script.

A :class:`Plot` maps data to pixels on linear or logarithmic axes and collects
SVG elements; :meth:`Plot.render` frames them with grid lines, labelled ticks
and a legend. Every string that reaches the SVG goes through ``html.escape``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

Marker = Literal["circle", "square", "diamond"]
Formatter = Callable[[float], str]

MAX_POINTS = 400  # points in one plot; more are subsampled, with a note
WIDTH = 860
HEIGHT = 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 78, 24, 14, 52
_LEGEND_ROW = 20
_CHAR_PX = 7.0  # rough width of a character of the 12px legend text


def number(value: object) -> float | None:
    """A finite number, or None for anything else (a missing key, a string, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def numbers(value: object) -> list[float]:
    """A list of numbers, NaN where an item is not one; empty for anything but a list."""
    if not isinstance(value, list | tuple):
        return []
    return [x if (x := number(item)) is not None else math.nan for item in value]


def format_number(value: float) -> str:
    """``1k``, ``512k``, ``2.5M``: a size or a count for a tick label."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def format_seconds(value: float) -> str:
    """``1 ms``, ``20 µs``, ``1.5 s``."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if abs(value) >= scale * 0.9995:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} s"


def format_ratio(value: float) -> str:
    """``0.871x``, ``12.5x``, ``2,040x``."""
    return f"{value:,.0f}x" if abs(value) >= 100 else f"{value:.3g}x"


def bytes_formatter(peak: float) -> tuple[Formatter, float]:
    """Byte counts in the binary unit that suits ``peak`` (MiB for 3 MB), and that unit in bytes."""
    units = ((30, "GiB"), (20, "MiB"), (10, "KiB"))
    shift, unit = next(((s, u) for s, u in units if peak >= 1 << s), (0, "B"))
    return (lambda value: f"{value / (1 << shift):.3g} {unit}" if value else "0"), float(1 << shift)


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


@dataclass(frozen=True, slots=True)
class Axis:
    """One axis: a data range, linear or logarithmic, and how to label it."""

    label: str
    lo: float
    hi: float
    log: bool = False
    fmt: Formatter = format_number
    categories: tuple[str, ...] = ()  # names at 0.5, 1.5, ... from the top down, instead of numbers
    unit: float = 1.0  # linear ticks step by 1-2-5 multiples of a power of ten of this

    @classmethod
    def fit(cls, label: str, values: Sequence[float], *, log: bool, fmt: Formatter = format_number,
            zero: bool = False) -> Axis:
        """An axis spanning ``values`` with some room; log axes span at least a factor of 8."""
        usable = [v for v in values if math.isfinite(v) and (v > 0 or not log)] or [1.0]
        lo, hi = min(usable), max(usable)
        if log:
            pad = max(1.3, (hi / lo) ** 0.08)
            lo, hi = lo / pad, hi * pad
            if hi / lo < 8.0:
                widen = math.sqrt(8.0 / (hi / lo))
                lo, hi = lo / widen, hi * widen
            return cls(label, lo, hi, True, fmt)
        if zero:
            lo = min(lo, 0.0)
        pad = (hi - lo) * 0.05 or max(abs(hi) * 0.1, 1.0)
        return cls(label, lo if zero and lo == 0 else lo - pad, hi + pad, False, fmt)

    def frac(self, value: float) -> float:
        """Where ``value`` lies, 0 at ``lo`` and 1 at ``hi``."""
        if self.log:
            return (math.log(value) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        return (value - self.lo) / (self.hi - self.lo)

    def ticks(self) -> list[tuple[float, str]]:
        """Tick positions with their labels: 1-2-5 steps, or decades on a wide log axis."""
        if self.categories:
            count = len(self.categories)
            return [(count - k - 0.5, name) for k, name in enumerate(self.categories)]
        if not self.log:
            step = _nice_step((self.hi - self.lo) / self.unit, 6) * self.unit
            values = [k * step for k in range(math.ceil(self.lo / step), math.floor(self.hi / step) + 1)]
        else:
            low, high = math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi))
            stride = max(1, math.ceil((high - low) / 8))
            mults = (1.0,) if high - low > 3 else (1.0, 2.0, 5.0)
            values = [m * 10.0**e for e in range(low, high + 1, stride) for m in mults
                      if self.lo <= m * 10.0**e <= self.hi]
        return [(value, self.fmt(value)) for value in values]


@dataclass(slots=True)
class Plot:
    """A plot being drawn: axes, SVG elements in data order, legend entries."""

    title: str
    x: Axis
    y: Axis
    width: int = WIDTH
    height: int = HEIGHT
    elements: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (swatch svg, label)

    def _legend_rows(self) -> list[list[tuple[str, str]]]:
        rows: list[list[tuple[str, str]]] = [[]]
        used = 0.0
        for entry in self.legend:
            need = 30 + _CHAR_PX * len(entry[1]) + 18
            if rows[-1] and used + need > self.width - _LEFT - _RIGHT:
                rows.append([])
                used = 0.0
            rows[-1].append(entry)
            used += need
        return [row for row in rows if row]

    def xpx(self, x: float) -> float:
        return _LEFT + self.x.frac(x) * (self.width - _LEFT - _RIGHT)

    def ypx(self, y: float) -> float:
        return self.height - _BOTTOM - self.y.frac(y) * (self.height - _TOP - _BOTTOM)

    def _visible(self, x: float, y: float) -> bool:
        ok = math.isfinite(x) and math.isfinite(y)
        return ok and not (self.x.log and x <= 0) and not (self.y.log and y <= 0)

    def points(self, xs: Sequence[float], ys: Sequence[float], *, color: str, marker: Marker,
               label: str) -> None:
        shapes = [_marker(marker, self.xpx(x), self.ypx(y), color) for x, y in zip(xs, ys, strict=False)
                  if self._visible(x, y)]
        self.elements.append(f'<g class="points" data-series="{escape(label)}">{"".join(shapes)}</g>')
        self.legend.append((_marker(marker, 12, -4, color), label))

    def line(self, xs: Sequence[float], ys: Sequence[float], *, color: str, label: str,
             dash: str = "", width: float = 1.8) -> None:
        coords = " ".join(f"{self.xpx(x):.1f},{self.ypx(y):.1f}" for x, y in zip(xs, ys, strict=False)
                          if self._visible(x, y))
        if not coords:
            return
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.elements.append(f'<polyline class="curve" points="{coords}" fill="none" stroke="{color}" '
                             f'stroke-width="{width}"{dashes}/>')
        self.legend.append((f'<line x1="2" y1="-4" x2="24" y2="-4" stroke="{color}" stroke-width="{width}"'
                            f'{dashes}/>', label))

    def hline(self, y: float, *, color: str, label: str, dash: str = "", width: float = 1.8) -> None:
        self.line([self.x.lo, self.x.hi], [y, y], color=color, label=label, dash=dash, width=width)

    def band(self, low: float, high: float, *, color: str, label: str) -> None:
        if not (self._visible(self.x.lo, low) and self._visible(self.x.lo, high)):
            return
        x0, y0, x1, y1 = self.xpx(self.x.lo), self.ypx(high), self.xpx(self.x.hi), self.ypx(low)
        self.elements.append(f'<rect class="band" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                             f'height="{max(y1 - y0, 1.0):.1f}" fill="{color}" fill-opacity="0.22"/>')
        self.legend.append((f'<rect x="2" y="-10" width="22" height="12" fill="{color}" '
                            f'fill-opacity="0.22"/>', label))

    def render(self) -> str:
        top, bottom = _TOP, self.height - _BOTTOM
        right = self.width - _RIGHT
        total = self.height + _LEGEND_ROW * len(self._legend_rows()) + 10
        parts = [f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} '
                 f'{total}" width="{self.width}" height="{total}" role="img">',
                 f"<title>{escape(self.title)}</title>",
                 f'<rect x="{_LEFT}" y="{top:.1f}" width="{right - _LEFT}" height="{bottom - top:.1f}" '
                 'fill="#fff" stroke="#8c959f"/>']
        for tick, text in self.x.ticks():
            px = self.xpx(tick)
            parts.append(f'<line class="grid" x1="{px:.1f}" y1="{top:.1f}" x2="{px:.1f}" y2="{bottom}"/>'
                         f'<text class="tick" x="{px:.1f}" y="{bottom + 16}" text-anchor="middle">'
                         f"{escape(text)}</text>")
        for tick, text in self.y.ticks():
            py = self.ypx(tick)
            parts.append(f'<line class="grid" x1="{_LEFT}" y1="{py:.1f}" x2="{right}" y2="{py:.1f}"/>'
                         f'<text class="tick" x="{_LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">'
                         f"{escape(text)}</text>")
        middle = (top + bottom) / 2
        parts.append(f'<text class="axis-label" x="{(_LEFT + right) / 2:.1f}" y="{self.height - 10}" '
                     f'text-anchor="middle">{escape(self.x.label)}</text>'
                     f'<text class="axis-label" x="14" y="{middle:.1f}" text-anchor="middle" '
                     f'transform="rotate(-90 14 {middle:.1f})">{escape(self.y.label)}</text>')
        parts.append(f'<svg x="{_LEFT}" y="{top:.1f}" width="{right - _LEFT}" height="{bottom - top:.1f}" '
                     f'viewBox="{_LEFT} {top:.1f} {right - _LEFT} {bottom - top:.1f}" overflow="hidden">'
                     f'{"".join(self.elements)}</svg>')
        parts.append(self._render_legend())
        parts.append("</svg>")
        return "".join(parts)

    def _render_legend(self) -> str:
        out = ['<g class="legend">']
        for row_index, row in enumerate(self._legend_rows()):
            x, y = float(_LEFT), self.height + _LEGEND_ROW * row_index + 12
            for swatch, label in row:
                out.append(f'<g transform="translate({x:.1f} {y})">{swatch}'
                           f'<text x="30" y="0">{escape(label)}</text></g>')
                x += 30 + _CHAR_PX * len(label) + 18
        out.append("</g>")
        return "".join(out)


def _marker(marker: Marker, x: float, y: float, color: str) -> str:
    if marker == "square":
        return (f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{color}" '
                'stroke="#fff" stroke-width="0.8"/>')
    if marker == "diamond":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}l4.5 4.5l-4.5 4.5l-4.5 -4.5z" fill="{color}" '
                'fill-opacity="0.75"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.2" fill="{color}" stroke="#fff" stroke-width="0.8"/>'


def bars(title: str, rows: Sequence[tuple[str, Sequence[float], str]], *, fmt: Formatter,
         axis_label: str, unit: float = 1.0) -> str:
    """Horizontal bars from zero to the median of each row, its single values as dots."""
    peak = max([v for _, values, _ in rows for v in values if math.isfinite(v)] + [1.0])
    names = tuple(label for label, _, _ in rows)
    plot = Plot(title, Axis(axis_label, 0.0, peak * 1.08, False, fmt, unit=unit),
                Axis("", 0.0, float(len(rows)), categories=names), height=84 + 46 * len(rows))
    for index, (label, values, color) in enumerate(rows):
        centre = len(rows) - index - 0.5
        finite = [v for v in values if math.isfinite(v)]
        x0, x1 = plot.xpx(0.0), plot.xpx(statistics.median(finite) if finite else 0.0)
        y0, y1 = plot.ypx(centre + 0.3), plot.ypx(centre - 0.3)
        plot.elements.append(f'<rect class="bar" x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 0.0):.1f}"'
                             f' height="{y1 - y0:.1f}" fill="{color}" fill-opacity="0.35"/>')
        shown = [values[i] for i in subsample(len(values), MAX_POINTS)]
        plot.points(shown, [centre] * len(shown), color=color, marker="diamond", label=label)
    return plot.render()


def subsample(count: int, cap: int) -> list[int]:
    """At most ``cap`` indices into ``range(count)``, evenly spread, first and last kept."""
    if count <= cap:
        return list(range(count))
    return sorted({round(k * (count - 1) / (cap - 1)) for k in range(cap)})
