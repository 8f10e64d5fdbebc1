"""The terminal view of a fixed run at a fixed width (see conftest.py to regenerate the golden file)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console

from signoff.report.terminal import print_run
from signoff.verdict import RunResult


def render(run: RunResult) -> str:
    console = Console(width=100, record=True, color_system=None, force_terminal=False,
                      file=io.StringIO())  # recorded for export, kept off the test's stdout
    print_run(console, run)
    return console.export_text()


def test_terminal_report_matches_golden(run: RunResult, golden: Callable[[str, str], None]) -> None:
    golden("terminal.txt", render(run))


def test_terminal_report_shows_each_counterexample_once(run: RunResult) -> None:
    text = render(run)
    assert text.count("slugify('0\\x800')") == 2  # the table's summary and the counterexample panel
    assert "signoff replay --spec spec.py" in text
    assert "3 candidate(s): 2 fail, 1 pass" in text
