"""The JUnit XML report: its golden file, its structure, hostile strings, and safe writing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.errors import SpecError
from signoff.report.junit import MARKER, render_junit, write_junit
from signoff.verdict import CandidateResult, CheckResult, RunResult

HOSTILE = "</script><b>bold</b> ]]> <![CDATA[x]]> </failure></testcase> & \"quoted\" 'single'"


def test_junit_report_matches_golden(run: RunResult, golden: Callable[[str, str], None]) -> None:
    golden("report.junit.xml", render_junit(run))


def test_junit_structure_counts_and_outcomes(run: RunResult) -> None:
    root = ET.fromstring(render_junit(run))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "10", "failures": "4", "errors": "1", "skipped": "1"}
    assert root.get("time") == "42.250"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [c.target for c in run.candidates]
    for suite, candidate in zip(suites, run.candidates, strict=True):
        assert suite.get("tests") == str(len(candidate.checks))
        cases = suite.findall("testcase")
        assert [(c.get("classname"), c.get("name")) for c in cases] == [
            (candidate.target, check.criterion) for check in candidate.checks]
        for case, check in zip(cases, candidate.checks, strict=True):
            tag = {"fail": "failure", "error": "error", "inconclusive": "skipped"}.get(check.verdict)
            children = [child.tag for child in case]
            if tag is None:
                assert children == ["system-out"]
                continue
            assert children == [tag]
            element = case.find(tag)
            assert element is not None and element.get("message") == check.summary
            assert element.text and element.text.startswith(check.summary)
    properties = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert properties["signoff.reference"] == "text:slugify"
    assert properties["signoff.seed"] == "1234"


def test_junit_failure_text_carries_the_counterexample(run: RunResult) -> None:
    root = ET.fromstring(render_junit(run))
    failure = root.find("testsuite[2]/testcase[@name='same_results']/failure")
    assert failure is not None and failure.text is not None
    assert "input: slugify('0\\x800')" in failure.text
    assert "replay: $ signoff replay --spec spec.py" in failure.text
    speed = root.find("testsuite[2]/testcase[@name='speed']/failure")
    assert speed is not None and speed.text is not None and "decided_by: sign test" in speed.text


def hostile_run() -> RunResult:
    evidence = {"input": HOSTILE, "kind": "value\x00\x1b[31m",
                "reference": {"status": "ok", "text": HOSTILE}, "candidate": "\udcff lone surrogate",
                "replay": f"signoff replay --case '{HOSTILE}'", f"<{HOSTILE}>": [HOSTILE] * 30,
                "more": [{"input": HOSTILE, "summary": HOSTILE}, HOSTILE]}
    return RunResult(reference=HOSTILE, seed=1, spec=HOSTILE, candidates=(
        CandidateResult(HOSTILE, (CheckResult(HOSTILE, "fail", HOSTILE + "\x07", evidence),
                                  CheckResult("speed", "error", HOSTILE, {"x": HOSTILE}),
                                  CheckResult("memory", "inconclusive", HOSTILE, {}))),))


def test_junit_escapes_hostile_strings() -> None:
    text = render_junit(hostile_run())
    root = ET.fromstring(text)  # well-formed despite ]]>, </failure>, NUL, ESC and a lone surrogate
    assert "<b>" not in text and "</script>" not in text and "<![CDATA[" not in text
    assert "\x00" not in text and "\x1b" not in text
    text.encode("utf-8")  # no lone surrogates left
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == HOSTILE
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == HOSTILE + "\\x07"
    assert failure.text is not None and f"input: {HOSTILE}" in failure.text
    assert "kind: value\\x00\\x1b[31m" in failure.text
    assert "\\udcff lone surrogate" in failure.text


def test_write_junit_replaces_its_own_report(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "out" / "junit.xml"
    write_junit(run, path)
    write_junit(run, path)
    assert path.read_text(encoding="utf-8") == render_junit(run)
    assert MARKER in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in path.parent.iterdir()) == ["junit.xml"]  # no temporary file left


@pytest.mark.parametrize("foreign", [
    '<?xml version="1.0"?>\n<testsuites><testsuite name="pytest"/></testsuites>\n',  # someone else's JUnit
    "def important():\n    return 42\n",
    "",
])
def test_write_junit_refuses_a_foreign_file(run: RunResult, tmp_path: Path, foreign: str) -> None:
    path = tmp_path / "results.xml"
    path.write_text(foreign, encoding="utf-8")
    with pytest.raises(SpecError, match="not a JUnit XML report written by signoff; refusing to overwrite"):
        write_junit(run, path)
    assert path.read_text(encoding="utf-8") == foreign
    assert [p.name for p in tmp_path.iterdir()] == ["results.xml"]


def test_write_junit_refuses_a_folder(run: RunResult, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a folder"):
        write_junit(run, tmp_path)
