"""The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched).

A verdict banner, a summary table of candidates by criterion, the machine it was
measured on, then the evidence of every check: counterexamples with their replay
command, growth plots, speed ratios, memory peaks. Every string taken from a result is escaped: evidence
comes from untrusted candidates. Evidence written by an older or newer signoff
may lack keys or hold odd values; whatever is there is shown, nothing crashes.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from signoff.criteria.base import Layout
from signoff.environment import measured_on
from signoff.report import figures, svg
from signoff.report.atomic import ReportKind, read_head, write_atomically
from signoff.report.views import view_of
from signoff.verdict import REPORT_SCHEMA, CheckResult, RunResult

GENERATOR_META = '<meta name="generator" content="signoff">'
MAX_TEXT = 20_000  # characters shown of one string from the evidence
MAX_VALUE = 1_000  # characters shown of one other evidence value
MAX_ROWS = 40  # rows of a table or items of a list

_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_Drawing = Callable[[Mapping[str, object]], str]


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates written as ``\\xNN`` / ``\\uNNNN``
    (neither HTML nor XML can carry them, and a reader cannot see them)."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                            text)


def plain(value: object, limit: int = MAX_TEXT) -> str:
    """A value as short readable text: numbers rounded, containers as JSON, long text cut."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        try:
            text = json.dumps(value, default=repr, ensure_ascii=False)
        except (TypeError, ValueError):  # keys that are not strings, a container inside itself
            text = repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    return printable(text)


def esc(value: object, limit: int = MAX_TEXT) -> str:
    return html.escape(plain(value, limit), quote=True)


def _badge(verdict: str) -> str:
    return f'<span class="badge v-{esc(verdict)}">{esc(verdict.upper())}</span>'


# ------------------------------------------------------------------------- page


def render_html(result: RunResult) -> str:
    """The whole report as one HTML document."""
    parts = [_banner(result), _summary(result), _measured_on(result)]
    for index, candidate in enumerate(result.candidates, 1):
        checks = "".join(_check(f"c{index}-{k}", check) for k, check in enumerate(candidate.checks, 1))
        parts.append(f'<section class="candidate" id="c{index}"><h2>{_badge(candidate.verdict)} '
                     f"<code>{esc(candidate.target)}</code></h2>"
                     f"{checks or '<p>No checks ran.</p>'}</section>")
    title = f"signoff {result.verdict.upper()}: {plain(result.reference, 200)}"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"{GENERATOR_META}\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts)
            + f'\n<footer>Written by signoff · report schema {REPORT_SCHEMA}</footer>\n</body>\n</html>\n')


def _banner(result: RunResult) -> str:
    counts: dict[str, int] = {}
    for candidate in result.candidates:
        counts[candidate.verdict] = counts.get(candidate.verdict, 0) + 1
    tally = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    meta = [("reference", f"<code>{esc(result.reference)}</code>")]
    if result.spec:
        meta.append(("spec", f"<code>{esc(result.spec)}</code>"))
    meta += [("seed", esc(str(result.seed))), ("duration", esc(f"{result.duration_s:.1f} s"))]
    rows = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in meta)
    return (f'<header class="banner v-{result.verdict}"><div class="verdict">{result.verdict.upper()}</div>'
            f'<div><h1>signoff report</h1><p class="tally">{len(result.candidates)} candidate(s)'
            f'{": " + esc(tally) if tally else ""}</p></div><dl class="meta">{rows}</dl></header>')


def _measured_on(result: RunResult) -> str:
    """The machine the run was measured on, as figures; nothing when it is not known."""
    environment = result.environment if isinstance(result.environment, Mapping) else {}
    items = "".join(f"<div><dt>{esc(label)}</dt><dd>{esc(words, 200)}</dd></div>"
                    for label, words in measured_on(environment))
    return (f'<section class="environment"><h2>Measured on</h2><dl class="figures">{items}</dl></section>'
            if items else "")


# Up to this many criteria the summary is a grid (candidates by criteria); with
# more (signoff sql has a dozen invariants) the columns would be too narrow to
# read, so it becomes one row per candidate and criterion.
MAX_GRID_CRITERIA = 5


def _summary(result: RunResult) -> str:
    criteria = list(dict.fromkeys(c.criterion for candidate in result.candidates for c in candidate.checks))
    if len(criteria) > MAX_GRID_CRITERIA:
        return _summary_rows(result)
    head = "".join(f"<th>{esc(name)}</th>" for name in criteria)
    rows = []
    for index, candidate in enumerate(result.candidates, 1):
        cells = []
        for name in criteria:
            found = [(k, c) for k, c in enumerate(candidate.checks, 1) if c.criterion == name]
            cells.append("<td>" + "".join(
                f'<a class="cell v-{check.verdict}" href="#c{index}-{k}">{_badge(check.verdict)}'
                f'<span class="sum">{esc(check.summary, 280)}</span></a>' for k, check in found)
                + ("" if found else '<span class="none">not run</span>') + "</td>")
        rows.append(f'<tr><th scope="row"><a href="#c{index}"><code>{esc(candidate.target)}</code></a>'
                    f'<br>{_badge(candidate.verdict)}</th>{"".join(cells)}</tr>')
    return (f'<section class="summary"><h2>Summary</h2><table><thead><tr><th>candidate</th>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></section>')


def _summary_rows(result: RunResult) -> str:
    rows = []
    for index, candidate in enumerate(result.candidates, 1):
        for k, check in enumerate(candidate.checks, 1):
            target = ""
            if k == 1:
                target = (f'<a href="#c{index}"><code>{esc(candidate.target)}</code></a>'
                          f'<br>{_badge(candidate.verdict)}')

            rows.append(f'<tr><th scope="row">{target}</th><td><a href="#c{index}-{k}">'
                        f'{esc(check.criterion)}</a></td><td>{_badge(check.verdict)}</td>'
                        f'<td class="sum">{esc(check.summary, 280)}</td></tr>')
    return ('<section class="summary"><h2>Summary</h2><table><thead><tr><th>candidate</th><th>criterion</th>'
            f'<th>verdict</th><th>summary</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _check(anchor: str, check: CheckResult) -> str:
    evidence: Mapping[str, object] = check.evidence if isinstance(check.evidence, Mapping) else {}
    view = view_of(check.criterion)
    layouts: tuple[Layout, ...] = tuple(kind for kind, _keys in view.layouts)
    drawings = tuple(_LAYOUTS[kind] for kind in layouts)
    if "load_failure" in evidence:
        drawings = (_load_failure,)
    elif "input" in evidence and "counterexample" not in layouts:
        drawings = (_counterexample, *drawings)
    used = set(view.laid_out) | ({"load_failure", "detail"} if "load_failure" in evidence else set())
    body = [_figures(evidence, view.figures)]
    for draw in drawings:
        try:
            body.append(draw(evidence))
        except Exception as error:  # a report must not die on evidence it cannot lay out
            body.append(f'<p class="note">Could not lay this evidence out ({esc(error, 200)}); '
                        "its values are listed below.</p>")
            used = set(view.figures)
    body.append(_other(evidence, used | set(view.figures)))
    return (f'<section class="check v-{check.verdict}" id="{anchor}"><h3>{_badge(check.verdict)} '
            f'{esc(check.criterion)}</h3><p class="summary-text">{esc(check.summary)}</p>'
            f'{"".join(body)}</section>')


# --------------------------------------------------------------------- evidence


def _figures(evidence: Mapping[str, object], keys: Sequence[str]) -> str:
    items = [(key, _figure(key, evidence[key])) for key in keys if key in evidence]
    if not items:
        return ""
    cells = "".join(f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in items)
    return f'<dl class="figures">{cells}</dl>'


def _figure(key: str, value: object) -> str:
    if key in ("ratio", "at_most") and (x := svg.number(value)) is not None:
        return esc(svg.format_ratio(x))
    if key in ("ci95", "decision_interval") and len(pair := svg.numbers(value)) == 2:
        return esc(f"{svg.format_ratio(pair[0])} – {svg.format_ratio(pair[1])}")
    if isinstance(value, Mapping):
        return esc(", ".join(f"{plain(k, 80)} {plain(v, 200)}" for k, v in value.items()), MAX_VALUE)
    return esc(value, MAX_VALUE)


def _other(evidence: Mapping[str, object], used: set[str]) -> str:
    rest = [(key, value) for key, value in evidence.items() if key not in used]
    if not rest:
        return ""
    rows = "".join(f"<tr><th>{esc(key, 200)}</th><td><code>{esc(value, MAX_VALUE)}</code></td></tr>"
                   for key, value in rest[:MAX_ROWS])
    more = f'<p class="note">{len(rest) - MAX_ROWS} more not shown.</p>' if len(rest) > MAX_ROWS else ""
    is_open = " open" if len(rest) <= 8 else ""
    return (f'<details class="other"{is_open}><summary>Other evidence</summary><table>{rows}</table>{more}'
            "</details>")


def _load_failure(evidence: Mapping[str, object]) -> str:
    return (f'<p>The candidate could not be loaded: <strong>{esc(evidence.get("load_failure"))}</strong></p>'
            f'<pre class="code">{esc(evidence.get("detail", ""))}</pre>')


def _outcome(outcome: object) -> str:
    if not isinstance(outcome, Mapping):
        return f'<pre class="code">{esc(outcome)}</pre>'
    shown = f'<pre class="code">{esc(outcome.get("text", ""))}</pre>'
    keys = ("status", "type", "message", "value", "arguments_after")
    details = [(k, outcome[k]) for k in keys if k in outcome]
    return shown + "".join(f'<span class="detail">{esc(k)}: <code>{esc(v, MAX_VALUE)}</code></span>'
                           for k, v in details)


def _counterexample(evidence: Mapping[str, object]) -> str:
    if "input" not in evidence:
        return ""
    kind = f' <span class="kind">{esc(evidence["kind"])}</span>' if "kind" in evidence else ""
    outcomes = "".join(f"<tr><th>{side}</th><td>{_outcome(evidence.get(side))}</td></tr>"
                       for side in ("reference", "candidate"))
    parts = [f'<h4>Counterexample{kind}</h4><pre class="code input">{esc(evidence["input"])}</pre>',
             f'<table class="outcomes">{outcomes}</table>']
    if evidence.get("replay"):
        parts.append(f'<h4>Replay</h4><pre class="code replay">$ {esc(evidence["replay"])}</pre>')
    differences = evidence.get("differences")
    if isinstance(differences, Mapping) and differences:
        rows = "".join(f"<tr><td>{esc(k, 200)}</td><td>{esc(v, 200)}</td></tr>"
                       for k, v in list(differences.items())[:MAX_ROWS])
        parts.append(f'<h4>Differences by kind</h4><table class="small"><tr><th>kind</th><th>inputs</th></tr>'
                     f"{rows}</table>")
    more = evidence.get("more")
    if isinstance(more, list) and more:
        items = "".join(
            f'<li><code>{esc(m.get("input", ""), MAX_VALUE)}</code> {esc(m.get("summary", ""), MAX_VALUE)}'
            "</li>"
            if isinstance(m, Mapping) else f"<li>{esc(m, MAX_VALUE)}</li>" for m in more[:MAX_ROWS])
        parts.append(f"<h4>Other differing inputs</h4><ul>{items}</ul>")
    if evidence.get("case"):
        parts.append('<details><summary>The input as signoff encodes it (base64, for tools)</summary>'
                     f'<pre class="code">{esc(evidence["case"])}</pre></details>')
    return "".join(parts)


def _scaling(evidence: Mapping[str, object]) -> str:
    sizes = svg.numbers(evidence.get("sizes"))
    per_call = figures.quantity(evidence)
    sides = {side: svg.numbers(evidence.get(f"{side}_{per_call.key}")) for side in ("reference", "candidate")}
    parts = []
    if isinstance(evidence.get("explosion"), str):
        parts.append(f'<p class="callout">{esc(evidence["explosion"])}</p>')
    parts.append(_fit_lines(evidence))
    if not sizes:
        return "".join(parts) + '<p class="note">No sizes measured.</p>'
    parts.append(figures.scaling_figure(evidence))
    rows = []
    for i in svg.subsample(len(sizes), MAX_ROWS):
        ref, cand = (s[i] if i < len(s) else math.nan for s in sides.values())
        ratio = svg.format_ratio(cand / ref) if ref > 0 and cand > 0 else "–"
        rows.append(f"<tr><td>{esc(f'{sizes[i]:,.0f}')}</td><td>{esc(_value(ref, per_call))}</td>"
                    f"<td>{esc(_value(cand, per_call))}</td><td>{esc(ratio)}</td></tr>")
    parts.append(f'<details><summary>Median {per_call.key} per call, per size</summary>'
                 '<table class="small num"><tr>'
                 '<th>size</th><th>reference</th><th>candidate</th><th>ratio</th></tr>'
                 f'{"".join(rows)}</table></details>')
    return "".join(parts)


def _value(value: float, per_call: figures.Quantity) -> str:
    return per_call.fmt(value) if math.isfinite(value) else "–"


def _fit_lines(evidence: Mapping[str, object]) -> str:
    lines = []
    for side in ("reference", "candidate"):
        fit = evidence.get(f"{side}_fit")
        if not isinstance(fit, Mapping):
            continue
        misfit = svg.number(fit.get("misfit"))
        lines.append(f"<li><strong>{side}</strong>: best fit {esc(fit.get('best', '?'))}, runner-up "
                     f"{esc(fit.get('runner_up') or 'none')}"
                     + (f", misfit {misfit:.1%}" if misfit is not None else "") + "</li>")
    return f'<ul class="fits">{"".join(lines)}</ul>' if lines else ""


# How each figure kind a view may name is drawn (see signoff.criteria.base.Layout).
_LAYOUTS: dict[Layout, _Drawing] = {
    "counterexample": _counterexample, "ratio_pairs": figures.speed_figure, "growth": _scaling,
    "memory_peaks": figures.memory_figure,
}

_CSS = """
:root{--pass:#1a7f37;--fail:#cf222e;--inconclusive:#9a6700;--error:#8250df;--skipped:#8c959f;--ink:#1f2328;--muted:#59636e;
--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",
sans-serif;color:var(--ink);background:#fff}
main,section,footer{max-width:1180px;margin:0 auto;padding:0 24px}
code,pre{font:13px/1.45 ui-monospace,"SFMono-Regular","Liberation Mono","DejaVu Sans Mono",monospace}
h2{font-size:20px;margin:28px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:0 0 6px}h4{font-size:14px;margin:16px 0 6px;color:var(--muted)}
a{color:inherit}
.banner{display:flex;gap:28px;align-items:center;flex-wrap:wrap;padding:20px 24px;color:#fff}
.banner h1{font-size:18px;margin:0;font-weight:600;opacity:.9}.banner .tally{margin:2px 0 0}
.banner .verdict{font-size:40px;font-weight:800;letter-spacing:.04em}
.banner .meta{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0 0 0 auto}
.banner dt{opacity:.8}.banner dd{margin:0;word-break:break-all}.banner code{font-size:14px}
.banner.v-pass{background:var(--pass)}.banner.v-fail{background:var(--fail)}
.banner.v-inconclusive{background:var(--inconclusive)}.banner.v-error{background:var(--error)}
.badge.v-skipped{background:var(--skipped)}.cell.v-skipped{border-color:var(--skipped)}
.check.v-skipped{border-left-color:var(--skipped)}
.badge{display:inline-block;min-width:5.2em;text-align:center;padding:1px 7px;border-radius:4px;color:#fff;
font:700 12px/1.6 system-ui,sans-serif;letter-spacing:.03em;vertical-align:2px}
.badge.v-pass{background:var(--pass)}.badge.v-fail{background:var(--fail)}
.badge.v-inconclusive{background:var(--inconclusive)}.badge.v-error{background:var(--error)}
table{border-collapse:collapse}
.summary table{width:100%;table-layout:fixed}
.summary th,.summary td{border:1px solid var(--line);padding:8px;vertical-align:top;text-align:left}
.summary thead th{background:var(--soft)}
.summary tbody th{overflow-wrap:anywhere;font-weight:normal}
.summary thead th:first-child{width:22%}
.summary tbody th code{font-weight:600}
.cell{display:block;text-decoration:none;padding:2px 0 2px 8px;border-left:4px solid var(--line)}
.cell .sum{display:block;font-size:13px;color:var(--muted);margin-top:4px;overflow-wrap:anywhere}
.cell.v-pass{border-color:var(--pass)}.cell.v-fail{border-color:var(--fail)}
.cell.v-inconclusive{border-color:var(--inconclusive)}.cell.v-error{border-color:var(--error)}
.none{color:var(--muted);font-size:13px}
.candidate h2 code{font-size:18px;word-break:break-all}
.check{margin:16px 0 22px;padding:14px 18px;border:1px solid var(--line);border-left:6px solid var(--line);
border-radius:6px;max-width:none}
.check.v-pass{border-left-color:var(--pass)}.check.v-fail{border-left-color:var(--fail)}
.check.v-inconclusive{border-left-color:var(--inconclusive)}.check.v-error{border-left-color:var(--error)}
.summary-text{margin:0 0 10px;overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.figures div{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:3px 10px}
.figures dt{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.figures dd{margin:0;font-weight:600;overflow-wrap:anywhere}
pre.code{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px 10px;margin:4px 0;
white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto}
pre.replay{background:#1f2328;color:#e6edf3;border-color:#1f2328}
.kind{font:600 12px/1.6 ui-monospace,monospace;background:#ffebe9;color:var(--fail);padding:1px 6px;
border-radius:4px;margin-left:4px}
.outcomes{width:100%}.outcomes th{width:7em;text-align:left;vertical-align:top;padding:8px 8px 0 0}
.outcomes td{padding:2px 0}.detail{display:inline-block;margin:0 14px 0 0;font-size:13px;color:var(--muted)}
table.small th,table.small td{border:1px solid var(--line);padding:3px 10px;text-align:left}
table.num td{text-align:right;font-variant-numeric:tabular-nums}
.callout{background:#ffebe9;border:1px solid #ffcecb;border-radius:4px;padding:8px 12px}
.note{color:var(--muted);font-size:13px}
figure.plot{margin:10px 0}svg.plot{max-width:100%;height:auto;display:block}
svg .grid{stroke:#eaeef2;stroke-width:1}svg .tick{font:11px system-ui,sans-serif;fill:#59636e}
svg .axis-label{font:12px system-ui,sans-serif;fill:#1f2328}svg .legend text{font:12px system-ui,sans-serif;
fill:#1f2328;dominant-baseline:middle}
details{margin:10px 0}details summary{cursor:pointer;color:var(--muted);font-size:14px}
details.other table{margin-top:6px}details.other th{text-align:left;padding:3px 12px 3px 0;font-weight:600;
vertical-align:top}details.other td code{overflow-wrap:anywhere;white-space:pre-wrap}
ul.fits{margin:6px 0;padding-left:20px}
footer{color:var(--muted);font-size:12px;padding:30px 24px 40px}
"""


# ----------------------------------------------------------------------- files


def write_html(result: RunResult, path: Path) -> None:
    """Write the report to ``path`` atomically; an existing file is replaced only when it is
    itself a signoff HTML report (SpecError otherwise, the file left as it was)."""
    write_atomically(render_html(result), Path(path), HTML)


def _is_signoff_html(path: Path) -> bool:
    return GENERATOR_META in read_head(path)


HTML = ReportKind("a signoff HTML report", _is_signoff_html)
