"""Shrink a corpus difference to the smallest script that still shows it.

A difference found on record N of a sqllogictest file was found after every
record before it ran on the same database; a person who wants to see it, or
report it, needs the few records it depends on. ``shrink`` finds them by
trying subsets: a *trial* (given by the caller, ``corpus.py``, which runs the
subset on a fresh in-memory database in both engines' workers) answers
whether records ``kept + [N]`` still show the difference on N (the same
class of difference, and the reference doing on N what it did in the corpus).

The order of the tries is cheapest-first, because most differences need
little or no setup:

1. record N alone;
2. the earlier statements without the earlier queries (queries rarely change
   the database);
3. delta debugging (Zeller's ddmin) over what is left; its last round removes
   one record at a time, so the result is 1-minimal: dropping any single
   record of it loses the difference.

Each try costs a run on both engines, so ``shrink`` works against a
deadline; when it passes, the smallest subset found so far is kept and the
result says it is not known to be minimal. Records that change no state and
cost nothing (``hash-threshold``, ``halt``) are never candidates: the caller
keeps them in every try.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from signoff.sql.slt_parser import (
    BrokenRecord,
    Halt,
    HashThreshold,
    Query,
    Record,
    Statement,
    applies,
)
from signoff.sql.slt_runner import split_statements

MINIMIZE_EACH_S = 5.0  # default time to shrink one example
MINIMIZE_TOTAL_S = 30.0  # default time to shrink all the examples of a run
MINIMIZED = ("wrong_result", "wrong_error", "unsupported", "crash")  # hangs cost a time limit per try

# Whether the earlier records ``kept`` (indices, in file order) plus the
# differing record still show the difference; the float is the seconds left.
Trial = Callable[[list[int], float], bool]


class _OutOfTime(Exception):
    """The deadline passed before the next try."""


@dataclass(frozen=True, slots=True)
class Shrunk:
    """What ``shrink`` found: the earlier records still needed, or None when nothing reproduced."""

    kept: tuple[int, ...] | None
    finished: bool  # False when the deadline passed first
    tries: int
    seconds: float

    @property
    def minimal(self) -> bool:
        """A script was found and no single record of it can go."""
        return self.finished and self.kept is not None


def shrink(earlier: Sequence[int], statements: Sequence[int], trial: Trial, deadline: float) -> Shrunk:
    """The smallest subset of ``earlier`` with which ``trial`` still reproduces; see the module docstring.

    ``statements`` are the indices of ``earlier`` that are statements (the
    rest are queries). None as ``kept`` when not even all of ``earlier``
    reproduces on a fresh database (the difference depends on something else:
    timing, or the state of the engine's process).
    """
    began = time.monotonic()
    best: list[list[int]] = []  # the smallest reproducing subset so far, when one was found
    tries = 0

    def test(kept: list[int]) -> bool:
        nonlocal tries
        left = deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime
        tries += 1
        reproduces = trial(kept, left)
        if reproduces and (not best or len(kept) < len(best[0])):
            best[:] = [list(kept)]
        return reproduces

    finished = False
    try:
        if not test([]) and earlier:
            if 0 < len(statements) < len(earlier) and test(list(statements)):
                ddmin(list(statements), test)
            elif test(list(earlier)):
                ddmin(list(earlier), test)
        finished = True
    except _OutOfTime:
        pass
    return Shrunk(tuple(best[0]) if best else None, finished, tries, time.monotonic() - began)


def ddmin(items: list[int], test: Callable[[list[int]], bool]) -> list[int]:
    """Zeller's delta debugging: a 1-minimal subset of ``items``, for which ``test`` holds.

    ``test(items)`` must hold. Order is kept: records run in file order.
    """
    chunks = 2
    while len(items) >= 2:
        count = len(items)
        chunks = min(chunks, count)
        parts = [items[i * count // chunks:(i + 1) * count // chunks] for i in range(chunks)]
        for part in parts:
            if len(part) < len(items) and test(part):
                items, chunks = part, 2
                break
        else:
            for number in range(len(parts)):
                complement = [item for i, part in enumerate(parts) if i != number for item in part]
                if test(complement):
                    items, chunks = complement, max(chunks - 1, 2)
                    break
            else:
                if chunks >= len(items):
                    break
                chunks = min(2 * chunks, len(items))
    return items


def earlier_records(records: Sequence[Record | BrokenRecord], target: int,
                    engine: str) -> tuple[list[int], list[int], list[int]]:
    """Indices of the records before ``target``: those that may matter, their statements, and those kept.

    Statements and queries that run (their guards allow ``engine``) may
    matter. Broken records and records a guard excludes never touch the
    database, so they are dropped before any try; ``hash-threshold`` and
    ``halt`` records are kept in every try (they touch no database, and the
    runner must see them as the file has them).
    """
    earlier = [i for i in range(target) if isinstance(records[i], Statement | Query)
               and applies(records[i], engine)]
    statements = [i for i in earlier if isinstance(records[i], Statement)]
    kept = [i for i in range(target) if isinstance(records[i], HashThreshold | Halt)]
    return earlier, statements, kept


def script_evidence(records: Sequence[Record | BrokenRecord], target: int, before: int,
                    shrunk: Shrunk) -> dict[str, Any]:
    """The example's script, for the report: records with line and SQL, counts, and text to paste."""
    if shrunk.kept is None:
        note = ("the difference does not reproduce on a fresh database with the records before it (it "
                "depends on something else: timing, or the state of the engine's process)" if shrunk.finished
                else "not shrunk: the budget for shrinking ran out before a script was found")
        return {"script": None, "script_minimal": False, "script_seconds": round(shrunk.seconds, 3),
                "script_note": note}
    chosen = [records[i] for i in (*shrunk.kept, target)]
    script = [{"line": r.line, "sql": r.sql} for r in chosen if isinstance(r, Statement | Query)]
    evidence: dict[str, Any] = {
        "script": script,
        "script_text": script_text([str(entry["sql"]) for entry in script]),
        "script_records": {"before": before, "after": len(script)},
        "script_minimal": shrunk.minimal,
        "script_seconds": round(shrunk.seconds, 3),
    }
    if not shrunk.minimal:
        evidence["script_note"] = ("the budget for shrinking ran out: the smallest script found so far, "
                                   "perhaps not minimal")
    return evidence


def script_text(sqls: Sequence[str]) -> str:
    """SQL statements joined with ``;`` and newlines, ready to paste into either engine's shell."""
    statements = [s.rstrip(" \t\n;") for sql in sqls for s in split_statements(sql)]
    return ";\n".join(s for s in statements if s) + ";"
