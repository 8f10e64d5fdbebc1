"""The JSON report of a fixed run, byte for byte (see conftest.py to regenerate the golden file)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from signoff.report.json_report import read_report, write_json
from signoff.verdict import REPORT_SCHEMA, RunResult


def test_json_report_matches_golden(run: RunResult, tmp_path: Path,
                                    golden: Callable[[str, str], None]) -> None:
    path = tmp_path / "report.json"
    write_json(run.to_json(), path)
    golden("report.json", path.read_text(encoding="utf-8"))


def test_json_report_round_trips(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_json(run.to_json(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == REPORT_SCHEMA
    assert data["verdict"] == "fail"
    assert read_report(path) == run
