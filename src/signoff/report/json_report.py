"""The JSON report: versioned, written atomically, never over a stranger's file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from signoff.errors import SpecError
from signoff.verdict import REPORT_SCHEMA, RunResult


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` to ``path`` atomically (temp file, then rename).

    An existing file is replaced only when it is itself a signoff report, so
    a mistyped ``--json spec.py`` cannot destroy the user's work.
    """
    if path.is_dir():
        raise SpecError(f"--json {path}: is a folder; give a file name")
    if path.exists() and not _is_signoff_report(path):
        raise SpecError(
            f"--json {path}: the file exists and is not a signoff report; "
            "refusing to overwrite it (remove it or choose another name)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, default=repr)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


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
    return RunResult.from_json(data)


def _is_signoff_report(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("signoff.")
