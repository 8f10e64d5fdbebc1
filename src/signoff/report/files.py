"""The report files a command line asked for: JSON, HTML, JUnit; their paths checked before a run.

Each writer replaces an existing file only when it is a report of its own kind
(a mistyped ``--json spec.py`` must not destroy the user's work). A run checks
the paths with ``check_report_paths`` before it starts, so a refused path
costs a one-line error at once, not the verdict table of a run that took
minutes; the writers check again when they write (one rule: ``atomic``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from signoff.report.atomic import ReportKind
from signoff.report.html import HTML, write_html
from signoff.report.json_report import JSON, write_json
from signoff.report.junit import JUNIT, write_junit
from signoff.verdict import RunResult

_KINDS: dict[str, ReportKind] = {"json": JSON, "html": HTML, "junit": JUNIT}  # by option


def check_report_paths(*, json: Path | None = None, html: Path | None = None,
                       junit: Path | None = None) -> None:
    """SpecError, naming the option, for a path its writer would refuse: a folder, or a file
    that exists and is not a report of that kind."""
    for option, path in (("json", json), ("html", html), ("junit", junit)):
        if path is not None:
            _KINDS[option].refuse(path, f"--{option}")


def write_reports(result: RunResult, *, json: Path | None = None, html: Path | None = None,
                  junit: Path | None = None, json_report: Mapping[str, Any] | None = None) -> None:
    """Each report asked for, written atomically; ``json_report`` is the JSON written instead of
    ``result.to_json()`` (a batch writes its ``signoff.batch/1`` report)."""
    if json:
        write_json(dict(json_report) if json_report is not None else result.to_json(), json)
    if html:
        write_html(result, html)
    if junit:
        write_junit(result, junit)
