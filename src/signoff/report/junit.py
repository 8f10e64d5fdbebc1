"""The JUnit XML report, for CI systems that show test results.

``testsuites`` > one ``testsuite`` per candidate > one ``testcase`` per
criterion (classname: the candidate's target, name: the criterion). A fail is a
``<failure>``, an error an ``<error>``, an inconclusive a ``<skipped>``; each
carries the summary as its message and the evidence as readable text. Strings
from the evidence are escaped by ElementTree and cleared of characters XML
cannot carry.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from signoff.report.atomic import ReportKind, read_head, write_atomically
from signoff.report.html import plain, printable
from signoff.report.svg import number
from signoff.report.views import view_of
from signoff.verdict import CheckResult, RunResult

MARKER = "<!-- signoff: JUnit XML report -->"
MAX_MESSAGE = 1_000  # characters of a summary in a message attribute
MAX_ITEMS = 12  # items of a list shown in the evidence text
_ELEMENT = {"fail": "failure", "error": "error", "inconclusive": "skipped", "skipped": "skipped"}
# Listed before the keys of the check's own view: why a candidate could not even be loaded.
_FIRST = ("load_failure",)


def render_junit(result: RunResult) -> str:
    """The run as a JUnit XML document (a string, with its XML declaration)."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = ET.Element("testsuites", name="signoff", time=f"{result.duration_s:.3f}")
    for candidate in result.candidates:
        suite = ET.SubElement(root, "testsuite", name=printable(candidate.target))
        properties = ET.SubElement(suite, "properties")
        for name, value in (("signoff.reference", result.reference), ("signoff.seed", str(result.seed)),
                            ("signoff.spec", result.spec or ""), ("signoff.verdict", candidate.verdict)):
            ET.SubElement(properties, "property", name=name, value=printable(value))
        counts = {"tests": len(candidate.checks), "failures": 0, "errors": 0, "skipped": 0}
        seconds = 0.0
        for check in candidate.checks:
            time = number(check.evidence.get("duration_s")) if isinstance(check.evidence, Mapping) else None
            seconds += time or 0.0
            case = ET.SubElement(suite, "testcase", classname=printable(candidate.target),
                                 name=printable(check.criterion), time=f"{time or 0.0:.3f}")
            tag = _ELEMENT.get(check.verdict)
            text = evidence_text(check)
            if tag is None:
                ET.SubElement(case, "system-out").text = text
                continue
            counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
            outcome = ET.SubElement(case, tag, message=plain(check.summary, MAX_MESSAGE))
            if tag != "skipped":
                outcome.set("type", printable(f"signoff.{check.criterion}.{check.verdict}"))
            outcome.text = text
        suite.attrib.update({key: str(value) for key, value in counts.items()})
        suite.set("time", f"{seconds:.3f}")
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({key: str(value) for key, value in totals.items()})
    ET.indent(root, space="  ")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{MARKER}\n{ET.tostring(root, encoding="unicode")}\n'


def evidence_text(check: CheckResult) -> str:
    """The summary, then each piece of evidence on its own line(s), for a person reading CI output."""
    evidence: Mapping[str, object] = check.evidence if isinstance(check.evidence, Mapping) else {}
    lines = [printable(check.summary), ""]
    first = (*_FIRST, *view_of(check.criterion).lead)
    keys = [k for k in first if k in evidence] + [k for k in evidence if k not in first]
    for key in keys:
        value = evidence[key]
        if key == "detail" and isinstance(value, str):
            lines += ["detail:", *(f"  {line}" for line in plain(value).splitlines())]
        elif key == "replay":
            lines.append(f"replay: $ {plain(value)}")
        elif key in ("reference", "candidate") and isinstance(value, Mapping):
            lines.append(f"{key}: {plain(value.get('text', _compact(value)))}")
        elif key == "more" and isinstance(value, list):
            lines.append(f"more: {len(value)} other differing input(s)")
            lines += [f"  {plain(m.get('input', ''), 400)}: {plain(m.get('summary', ''), 400)}"
                      if isinstance(m, Mapping) else f"  {plain(m, 400)}" for m in value[:MAX_ITEMS]]
        else:
            lines.append(f"{plain(key, 200)}: {plain(_compact(value), 2_000)}")
    return "\n".join(lines).rstrip() + "\n"


def _compact(value: object) -> object:
    """Long lists shortened to their first items and a count, floats rounded, as one line of JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return plain(value)
    if isinstance(value, list | tuple) and len(value) > MAX_ITEMS:
        shown = json.dumps(_rounded(list(value[:MAX_ITEMS])), default=repr, ensure_ascii=False)
        return f"{shown[:-1]}, … ({len(value):,} in all)]"
    return json.dumps(_rounded(value), default=repr, ensure_ascii=False)


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _rounded(v) for k, v in value.items()}
    return value


def write_junit(result: RunResult, path: Path) -> None:
    """Write the JUnit report to ``path`` atomically; an existing file is replaced only when it is
    itself a signoff JUnit report (SpecError otherwise, the file left as it was)."""
    write_atomically(render_junit(result), Path(path), JUNIT)


def _is_signoff_junit(path: Path) -> bool:
    head = read_head(path, 1024)
    return head.lstrip().startswith("<?xml") and MARKER in head


JUNIT = ReportKind("a JUnit XML report written by signoff", _is_signoff_junit)
