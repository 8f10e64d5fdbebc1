"""Compare two engines on the same sqllogictest records, value by value.

Each engine runs the records in its own ``SltRunner`` under the same engine
name (``sqlite`` by default: a candidate that replaces SQLite must take the
records SQLite takes), so each also gets its own verdict against the file.
``agree`` then asks whether the two *behaved* the same: both raised or both
did not, and a query returned the same formatted result (values, order after
the sort mode, column count). Error messages may differ.

``agree`` works on outcomes alone, so the two runners may live in separate
worker processes; ``compare_engines`` is the in-process version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from signoff.sql.slt_format import QueryResult
from signoff.sql.slt_parser import BrokenRecord, Query, Record, Statement
from signoff.sql.slt_runner import (
    REFERENCE_ENGINE,
    Connection,
    RecordOutcome,
    SltRunner,
)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Whether the candidate behaved as the reference did on one record."""

    reference: RecordOutcome
    candidate: RecordOutcome
    same: bool
    difference: str = ""  # for a person, when not the same

    @property
    def record(self) -> Statement | Query | BrokenRecord:
        return self.reference.record

    @property
    def line(self) -> int:
        return self.reference.line


def agree(reference: RecordOutcome, candidate: RecordOutcome) -> Agreement:
    """Compare two outcomes of the same record."""
    if reference.record != candidate.record:
        raise ValueError(
            f"outcomes of different records (lines {reference.line} and {candidate.line})"
        )
    inert = ("skipped", "broken")
    if reference.status in inert or candidate.status in inert:
        same = reference.status == candidate.status
        text = f"reference {reference.status}, candidate {candidate.status}"
        return Agreement(reference, candidate, same, "" if same else text)
    if (reference.raised is None) != (candidate.raised is None):
        text = f"reference {_did(reference)}, candidate {_did(candidate)}"
        return Agreement(reference, candidate, False, text)
    if reference.got != candidate.got:
        text = f"results differ: {_results(reference.got, candidate.got)}"
        return Agreement(reference, candidate, False, text)
    return Agreement(reference, candidate, True)


def compare_engines(
    records: Iterable[Record | BrokenRecord],
    reference: Connection,
    candidate: Connection,
    *,
    engine: str = REFERENCE_ENGINE,
    path: str = "<string>",
    wrap_int32: bool = True,
) -> Iterator[Agreement]:
    """Run each record on both connections, in order, and compare; stops at a halt."""
    runners = [
        SltRunner(connection, engine=engine, path=path, wrap_int32=wrap_int32)
        for connection in (reference, candidate)
    ]
    for record in records:
        if runners[0].halted:
            return
        ours, theirs = (runner.run(record) for runner in runners)
        if ours is not None and theirs is not None:
            yield agree(ours, theirs)


def _did(outcome: RecordOutcome) -> str:
    if outcome.raised is not None:
        return f"raised {outcome.raised}"
    if outcome.got is not None:
        return f"returned {_shown(outcome.got)}"
    return "succeeded"


def _shown(result: QueryResult, most: int = 8) -> str:
    if len(result.values) > most:
        return str(result.hashed())
    return "[" + ", ".join(result.values) + "]"


def _results(reference: QueryResult | None, candidate: QueryResult | None) -> str:
    if reference is None or candidate is None:
        return f"reference {reference}, candidate {candidate}"
    parts = [f"reference {_shown(reference)}, candidate {_shown(candidate)}"]
    if reference.columns != candidate.columns:
        parts.append(f"columns {reference.columns} vs {candidate.columns}")
    pairs = zip(reference.values, candidate.values, strict=False)
    for index, (ours, theirs) in enumerate(pairs):
        if ours != theirs:
            parts.append(f"first difference at value {index + 1}: {ours!r} vs {theirs!r}")
            break
    else:
        if len(reference.values) != len(candidate.values):
            parts.append(f"{len(reference.values)} values vs {len(candidate.values)}")
    return "; ".join(parts)
