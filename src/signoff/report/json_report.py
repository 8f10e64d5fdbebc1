"""The JSON report: versioned, written atomically, never over a stranger's file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from signoff.errors import SpecError
from signoff.report.atomic import ReportKind, write_atomically
from signoff.verdict import REPORT_SCHEMA, RunResult


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` to ``path`` atomically (temp file, then rename).

    An existing file is replaced only when it is itself a signoff report, so
    a mistyped ``--json spec.py`` cannot destroy the user's work.
    """
    write_atomically(json.dumps(data, indent=2, default=repr) + "\n", Path(path), JSON, "--json")


def read_report(path: Path) -> RunResult:
    """A RunResult from a report file; SpecError when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"report not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SpecError(f"{path}: not a JSON report ({error})") from None
    if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA:
        raise SpecError(f"{path}: not a {REPORT_SCHEMA} report")
    try:
        return RunResult.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise SpecError(f"{path}: a {REPORT_SCHEMA} report, but not whole: {type(error).__name__}: "
                        f"{error}") from None


def _is_signoff_report(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("signoff.")


JSON = ReportKind("a signoff report", _is_signoff_report)
