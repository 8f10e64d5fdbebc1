"""The HTML report as text: structure, plots, escaping, odd evidence, size caps, safe writing.

tests/report/test_html_browser.py renders it in a real browser.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from signoff.errors import SpecError
from signoff.measure.fit import fitted_times
from signoff.report.html import GENERATOR_META, render_html, write_html
from signoff.report.svg import Axis, subsample
from signoff.verdict import CandidateResult, CheckResult, RunResult

HOSTILE = "</script><b>bold</b> ]]> <img src=x onerror=alert(1)> <!-- & \"q\" 'q'"
# Every element the report itself writes; a hostile string that became markup would add others.
OWN_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "h3", "h4", "p", "dl",
    "dt", "dd", "code", "section", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "br", "pre",
    "strong", "ul", "li", "details", "summary", "figure", "figcaption", "footer", "svg", "rect", "line",
    "text", "g", "circle", "path", "polyline",
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def parse(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    parser.close()
    return parser


def test_page_has_banner_summary_and_every_check(run: RunResult) -> None:
    page = render_html(run)
    assert page.startswith("<!DOCTYPE html>") and GENERATOR_META in page[:300]
    banner = page[page.index('<header class="banner v-fail">'):page.index("</header>")]
    for text in ("FAIL", "text:slugify", "examples/slugify/spec.py", "1234", "42.2 s", "2 fail, 1 pass"):
        assert text in banner
    summary = page[page.index('<section class="summary">'):page.index('<section class="candidate"')]
    assert summary.count("<tr>") == 1 + len(run.candidates)
    for header in ("same_results", "speed", "scaling", "memory"):
        assert f"<th>{header}</th>" in summary
    for index, candidate in enumerate(run.candidates, 1):
        for k, check in enumerate(candidate.checks, 1):
            assert f'href="#c{index}-{k}"' in summary
            assert f'<section class="check v-{check.verdict}" id="c{index}-{k}">' in page
    assert summary.count("not run") == 2  # the broken candidate ran two of four criteria


def test_page_is_self_contained(run: RunResult) -> None:
    page = render_html(run)
    tags = parse(page)
    assert set(tags.tags) <= OWN_TAGS
    assert "script" not in tags.tags and "link" not in tags.tags and "img" not in tags.tags
    urls = [value for name, value in tags.attributes if name in ("href", "src") and value]
    assert all(url.startswith("#") for url in urls), urls
    assert set(re.findall(r"https?://[^\"]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace
    assert "url(" not in page and "@import" not in page


def test_plots_for_speed_scaling_and_memory(run: RunResult) -> None:
    page = render_html(run)
    assert page.count('<svg class="plot"') == 6  # speed, scaling and memory of two candidates
    flawed = page[page.index('id="c2"'):page.index('id="c3"')]
    scaling = flawed[flawed.index('id="c2-3"'):flawed.index('id="c2-4"')]
    assert scaling.count('<polyline class="curve"') == 2  # both fitted curves
    assert 'data-series="reference (O(n))"' in scaling and 'data-series="candidate (O(n^2))"' in scaling
    assert scaling.count("<circle") == 8 + 1 and scaling.count("<rect x=") >= 8  # points + legend marks
    for label in (">1k<", ">10k<", ">100k<", ">1 ms<", ">1 s<", "reference fit O(n)", "candidate fit O(n^2)"):
        assert label in scaling
    speed = flawed[flawed.index('id="c2-2"'):flawed.index('id="c2-3"')]
    assert 'class="band"' in speed and "threshold at_most 1.2x" in speed and "2,040x" in speed
    assert speed.count('fill="#6639ba"') == 8 + 1  # one mark per pair, one in the legend
    memory = flawed[flawed.index('id="c2-4"'):]
    assert ">3 MiB<" in memory and memory.count('class="bar"') == 2


def test_counterexample_and_load_failure_are_shown(run: RunResult) -> None:
    page = render_html(run)
    assert '<pre class="code input">slugify(&#x27;0\\x800&#x27;)</pre>' in page
    assert ('<pre class="code replay">$ signoff replay --spec spec.py --candidate '
            "candidates/flawed.py:slugify --case gASVCQAAAAAAAACMBTDCgDCUhZQu</pre>") in page
    assert "returned &#x27;0-0&#x27;" in page and "slugify(&#x27;a\\x85b&#x27;)" in page
    assert "ModuleNotFoundError: No module named &#x27;unidecode&#x27;" in page
    assert "import_failed" in page


def test_fitted_times_and_axis_ticks() -> None:
    sizes = [1_000.0, 10_000.0, 100_000.0]
    assert fitted_times("O(n)", 1.0, 2.0, sizes) == pytest.approx([1.02, 1.2, 3.0])
    assert fitted_times("O(n^2)", 0.0, 4.0, sizes) == pytest.approx([4e-4, 0.04, 4.0])
    assert fitted_times("O(n log n)", 0.0, 1.0, sizes) == pytest.approx([0.01 * 3 / 5, 0.1 * 4 / 5, 1.0])
    assert fitted_times("O(1)", 0.5, 9.0, sizes) == [0.5, 0.5, 0.5]
    assert fitted_times("O(2^n)", 0.0, 1.0, sizes) is None
    axis = Axis.fit("size", sizes, log=True)
    assert [label for _, label in axis.ticks()] == ["1k", "10k", "100k"]
    narrow = Axis.fit("ratio", [0.9, 1.1], log=True)
    assert len(narrow.ticks()) >= 2
    kept = subsample(1000, 400)
    assert kept[0] == 0 and kept[-1] == 999 and len(kept) <= 400 and kept == sorted(set(kept))


def hostile_run() -> RunResult:
    evidence = {"input": HOSTILE, "kind": HOSTILE, "replay": HOSTILE + "\x00\x1b[2J",
                "reference": {"status": HOSTILE, "text": HOSTILE, "message": HOSTILE},
                "candidate": HOSTILE + "\udcff", "differences": {HOSTILE: HOSTILE},
                "more": [{"input": HOSTILE, "summary": HOSTILE}, HOSTILE], HOSTILE: {HOSTILE: [HOSTILE]},
                "case": HOSTILE}
    scaling = {"sizes": [1, 2, 3, 4, 5, 6, 7, 8], "reference_seconds": [1e-3] * 8,
               "candidate_seconds": [2e-3] * 8, "reference_class": HOSTILE, "candidate_class": HOSTILE,
               "candidate_fit": {"best": HOSTILE, "runner_up": HOSTILE, "coefficients": {HOSTILE: [1, 2]},
                                 "misfit": HOSTILE}, "explosion": HOSTILE}
    checks = (CheckResult("same_results", "fail", HOSTILE, evidence),
              CheckResult(HOSTILE, "error", HOSTILE,
                          {"input": HOSTILE, "load_failure": HOSTILE, "detail": HOSTILE}),
              CheckResult("scaling", "fail", HOSTILE, scaling),
              CheckResult("speed", "inconclusive", HOSTILE,
                          {"decided_by": HOSTILE, "calls_per_batch": {HOSTILE: 1}}))
    return RunResult(reference=HOSTILE, seed=7, spec=HOSTILE, candidates=(CandidateResult(HOSTILE, checks),))


def test_html_escapes_hostile_strings() -> None:
    page = render_html(hostile_run())
    tags = parse(page)
    assert set(tags.tags) <= OWN_TAGS
    assert "b" not in tags.tags and "img" not in tags.tags and "script" not in tags.tags
    assert not any(name.startswith("on") for name, _ in tags.attributes)
    assert "<b>" not in page and "</script>" not in page and "<!-- &" not in page
    assert "&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "\x00" not in page and "\x1b" not in page and "\\x00\\x1b[2J" in page
    page.encode("utf-8")  # the lone surrogate became text: \udcff
    assert "\\udcff" in page


def test_missing_and_odd_evidence_never_crash() -> None:
    odd: list[CheckResult] = [
        CheckResult("same_results", "fail", "old report", {"input": "f(1)"}),
        CheckResult("same_results", "pass", "no evidence at all"),
        CheckResult("speed", "fail", "pairs of the wrong shape",
                    {"ratio": "fast", "ci95": [1],
                     "pair_seconds": [[1], "x", [0, 1], [1e-3, math.inf], [1, 2]]}),
        CheckResult("speed", "pass", "nothing but a ratio", {"ratio": 0.5}),
        CheckResult("scaling", "fail", "sizes without seconds", {"sizes": [1, 10, 100]}),
        CheckResult("scaling", "fail", "odd fits", {
            "sizes": [1, 10, "x", 1000], "reference_seconds": [1, 2], "candidate_seconds": [1, 2, 3, -4, 5],
            "reference_fit": {"coefficients": {"O(n)": [1]}}, "candidate_fit": "broken",
            "candidate_class": "O(n^9)"}),
        CheckResult("scaling", "inconclusive", "one size", {"sizes": [5], "reference_seconds": [0.0],
                                                           "candidate_seconds": [math.nan]}),
        CheckResult("memory", "pass", "one side", {"reference_bytes": [1, 2, 3], "ci95": None}),
        CheckResult("memory", "fail", "zero bytes", {"reference_bytes": [0], "candidate_bytes": [0]}),
        CheckResult("thread_safe", "fail", "a future criterion",
                    {"threads": 8, "input": "f(2)", "new": {"a": [1]}, "odd": {(1, 2): {3}}}),
    ]
    page = render_html(RunResult("m:f", 0, (CandidateResult("c:f", tuple(odd)),)))
    for check in odd:
        assert check.summary in page
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert head.count("<th>scaling</th>") == 1 and head.count("<th>speed</th>") == 1
    assert "threads" in page and "a future criterion" in page


def test_long_evidence_is_capped(tmp_path: Path) -> None:
    pairs = [[1e-3, 1.1e-3 + 1e-6 * (k % 17)] for k in range(5_000)]
    sizes = list(range(1, 2_001))
    checks = (
        CheckResult("speed", "inconclusive", "many pairs", {"ratio": 1.1, "ci95": [1.0, 1.2], "at_most": 1.2,
                                                             "pair_seconds": pairs}),
        CheckResult("scaling", "pass", "many sizes", {"sizes": sizes,
                                                      "reference_seconds": [1e-6 * n for n in sizes],
                                                      "candidate_seconds": [1e-6 * n for n in sizes]}),
        CheckResult("same_results", "fail", "huge input", {
            "input": "f('" + "x" * 500_000 + "')", "replay": "y" * 300_000,
            "detail_blob": ["z" * 1_000] * 10_000, "more": [{"input": "w" * 10_000, "summary": "s"}] * 5_000,
            "differences": {f"k{i}": i for i in range(999)}}),
        CheckResult("memory", "pass", "many runs", {"reference_bytes": [1 << 20] * 5_000,
                                                    "candidate_bytes": [1 << 20] * 5_000}),
    )
    page = render_html(RunResult("m:f", 0, (CandidateResult("c:f", checks),) * 3))
    assert len(page.encode("utf-8")) < 2_000_000
    assert "Showing 400 of 5,000 pairs, evenly spaced." in page
    assert "Showing 400 of 2,000 sizes, evenly spaced." in page
    assert "more characters)" in page


def test_write_html_replaces_its_own_report(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "nested" / "report.html"
    write_html(run, path)
    write_html(run, path)
    assert path.read_text(encoding="utf-8") == render_html(run)
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]  # no temporary file left


@pytest.mark.parametrize("foreign", [
    "<!DOCTYPE html><html><head><title>my notes</title></head><body>important</body></html>",
    "def important():\n    return 42\n",
    "",
])
def test_write_html_refuses_a_foreign_file(run: RunResult, tmp_path: Path, foreign: str) -> None:
    path = tmp_path / "index.html"
    path.write_text(foreign, encoding="utf-8")
    with pytest.raises(SpecError, match="not a signoff HTML report; refusing to overwrite it"):
        write_html(run, path)
    assert path.read_text(encoding="utf-8") == foreign
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_write_html_refuses_a_folder(run: RunResult, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a folder"):
        write_html(run, tmp_path)


def test_many_criteria_turn_the_summary_into_one_row_per_check() -> None:
    from signoff.report.html import MAX_GRID_CRITERIA, render_html
    from signoff.verdict import CandidateResult, CheckResult, RunResult

    checks = tuple(CheckResult(f"invariant_{i}", "pass" if i % 2 else "fail", f"summary {i}")
                   for i in range(MAX_GRID_CRITERIA + 2))
    page = render_html(RunResult("sqlite3", 1, (CandidateResult("turso", checks),)))
    summary = page[page.index('<section class="summary">'):page.index('<section class="candidate"')]
    assert "<th>criterion</th>" in summary
    assert summary.count("<tr>") == 1 + len(checks)
    assert all(f"summary {i}" in summary for i in range(len(checks)))
