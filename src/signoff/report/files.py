"""Writing the report files a command line asked for: JSON, HTML, JUnit."""

from __future__ import annotations

from pathlib import Path

from signoff.report.html import write_html
from signoff.report.json_report import write_json
from signoff.report.junit import write_junit
from signoff.verdict import RunResult


def write_reports(result: RunResult, *, json: Path | None = None, html: Path | None = None,
                  junit: Path | None = None) -> None:
    """Each report asked for, written atomically; none overwrites a file that is not a signoff report."""
    if json:
        write_json(result.to_json(), json)
    if html:
        write_html(result, html)
    if junit:
        write_junit(result, junit)
