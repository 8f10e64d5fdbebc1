"""How the reports show the SQL suite's checks: the corpus, the generated and
metamorphic checks, and each performance invariant.

``VIEWS`` maps each check's name to its ``EvidenceView``; the reports find it
through ``signoff.report.views.view_of``, which imports this module on first use.
The details of a failure are plain lines of (text, style) segments: the
examples with their smallest scripts, or an invariant's plans and counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from signoff.criteria.base import EvidenceView, Line
from signoff.sql.invariants import INVARIANTS, Kind

EXAMPLES_SHOWN = 3  # differing records listed per kind of difference; the JSON report has them all
SCRIPT_LINES = 12  # lines of a script shown before it is cut
SQL_CHARACTERS = 160  # of one statement on one line
LINE_CHARACTERS = 200  # of one line of a script


def _line(text: str, style: str = "") -> Line:
    return ((text, style),)


def _corpus_lines(evidence: Mapping[str, Any]) -> list[Line]:
    lines: list[Line] = []
    examples: dict[str, list[dict[str, Any]]] = evidence.get("examples", {})
    for kind, items in examples.items():
        count = evidence.get("classes", {}).get(kind, len(items))
        lines.append(_line(f"{kind.replace('_', ' ')}: {count:,}", "bold"))
        for item in items[:EXAMPLES_SHOWN]:
            sql = " ".join(str(item["sql"]).split())
            lines.append(((f"  {item['file']}:{item['line']}", "cyan"), (f"  {sql[:SQL_CHARACTERS]}", "")))
            lines.append(_line(f"    reference {item['reference']}; candidate {item['candidate']}"))
            script = item.get("script_text")
            if script:
                records = item.get("script_records", {})
                lines.append(_line(f"    smallest script ({records.get('after', '?')} of "
                                   f"{records.get('before', '?')} records):", "bold"))
                lines.extend(_script_lines(script, "      "))
            elif item.get("script_note"):
                lines.append(_line(f"    {item['script_note']}", "dim"))
    return lines


def _generated_lines(evidence: Mapping[str, Any]) -> list[Line]:
    lines: list[Line] = []
    shrunk: dict[str, dict[str, Any]] = evidence.get("examples", {})
    for kind, item in shrunk.items():
        count = evidence.get("classes", {}).get(kind, 1)
        lines.append(_line(f"{kind.replace('_', ' ')}: {count:,}; the smallest script that shows it:",
                           "bold"))
        lines.extend(_script_lines(str(item["sql"]), "  "))
        lines.append(_line(f"    reference {item['reference']}; candidate {item['candidate']}"))
        for other in evidence.get("more_examples", {}).get(kind, []):
            if other["script"] != item["script"]:
                last = " ".join(str(other["script"][-1]).split())
                lines.append(_line(f"  also ({len(other['script'])} statements): {last[:150]}", "dim"))
    return lines


def _metamorphic_lines(evidence: Mapping[str, Any]) -> list[Line]:
    item: dict[str, Any] | None = evidence.get("example")
    if not item:
        return [_line(str(fault)) for fault in evidence.get("faults", [])[:1]]
    lines = [_line(f"{item['oracle']}: {item['violation']}", "bold"),
             _line("  the smallest script that shows it:")]
    lines.extend(_script_lines(str(item["sql"]), "  "))
    lines.append(_line(f"  the reference {item['reference']}"))
    return lines


def _script_lines(sql: str, indent: str) -> list[Line]:
    """A script as lines a person can paste, cut after SCRIPT_LINES lines."""
    shown = sql.splitlines()
    lines = [_line(indent + line[:LINE_CHARACTERS], "cyan") for line in shown[:SCRIPT_LINES]]
    if len(shown) > SCRIPT_LINES:
        lines.append(_line(f"{indent}... ({len(shown) - SCRIPT_LINES} more lines in the JSON report)", "dim"))
    return lines


def _invariant_lines(evidence: Mapping[str, Any]) -> list[Line]:
    lines = [_line(str(evidence["explanation"]), "italic")] if "explanation" in evidence else []
    steps = evidence.get("vdbe_steps")
    if steps and steps.get("reference") is not None:
        theirs = "not counted" if steps["candidate"] is None else f"{steps['candidate']:,}"
        lines.append((("VDBE steps ", "bold"), (f"reference {steps['reference']:,}, candidate {theirs}", "")))
    plans = evidence.get("plans")
    if plans:
        for role in ("reference", "candidate"):
            lines.append(((f"{role} plan ".ljust(16), "bold"), ("; ".join(plans[role]), "")))
    return lines


# Every kind of invariant shows the same details (its explanation, the VDBE
# steps and both query plans where they were taken); one view per kind keeps
# the place to make them differ.
_INVARIANT_VIEW = EvidenceView(lines=_invariant_lines)
_BY_KIND: dict[Kind, EvidenceView] = {
    "ratio": _INVARIANT_VIEW, "within": _INVARIANT_VIEW, "commit_cost": _INVARIANT_VIEW,
    "scaling": _INVARIANT_VIEW,
}
VIEWS: dict[str, EvidenceView] = {
    "corpus": EvidenceView(lines=_corpus_lines),
    "generated": EvidenceView(lines=_generated_lines),
    "metamorphic": EvidenceView(lines=_metamorphic_lines),
    **{name: _BY_KIND[invariant.kind] for name, invariant in INVARIANTS.items()},
}
