"""The report files a command line asked for: JSON, HTML, JUnit; their paths checked before a run.

Each writer replaces an existing file only when it is a report of its own kind
(a mistyped ``--json spec.py`` must not destroy the user's work). A run checks
the paths with ``check_report_paths`` before it starts, so a refused path
costs a one-line error at once, not the verdict table of a run that took
minutes; the writers check again when they write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from signoff.errors import SpecError

# Each writer's own test of "this file is a report of mine": one rule, kept with its writer.
from signoff.report.html import _is_signoff_html, write_html
from signoff.report.json_report import _is_signoff_report, write_json
from signoff.report.junit import _is_signoff_junit, write_junit
from signoff.verdict import RunResult

_KINDS: dict[str, tuple[str, Callable[[Path], bool]]] = {  # option -> (what it is, is_ours)
    "json": ("a signoff report", _is_signoff_report),
    "html": ("a signoff HTML report", _is_signoff_html),
    "junit": ("a JUnit XML report written by signoff", _is_signoff_junit),
}


def check_report_paths(*, json: Path | None = None, html: Path | None = None,
                       junit: Path | None = None) -> None:
    """SpecError, naming the option, for a path its writer would refuse: a folder, or a file
    that exists and is not a report of that kind."""
    for option, path in (("json", json), ("html", html), ("junit", junit)):
        if path is None:
            continue
        what, is_ours = _KINDS[option]
        if path.is_dir():
            raise SpecError(f"--{option} {path}: is a folder; give a file name")
        if path.exists() and not is_ours(path):
            raise SpecError(f"--{option} {path}: the file exists and is not {what}; "
                            "refusing to overwrite it (remove it or choose another name)")


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
