"""Scripts of SQL statements run on engines' workers and compared statement by statement.

What the ``generated`` (``differential``) and ``metamorphic`` checks share:
scripts drawn within a share of the budget and run in batches on both
engines until the budget ends (``draw_scripts``); running scripts on several
workers at once, each script a case of its own; the first statement on which
two engines behave differently; and values compared as SQLite compares them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from hypothesis.strategies import SearchStrategy

from signoff.criteria.hypothesis_run import draw_until
from signoff.outcomes import Outcome
from signoff.runner.batches import run_cases
from signoff.sql.driver import ScriptStep
from signoff.sql.workers import SqlWorker, case

REL_TOL = 1e-9  # reals: sums may be added in another order
DRAW_SHARE = 1 / 3  # of the budget, at most, for Hypothesis to draw the scripts
BATCH = 50  # scripts per call of a worker


class HasStatements(Protocol):
    @property
    def statements(self) -> Sequence[str]: ...


S = TypeVar("S", bound=HasStatements)


@dataclass(frozen=True)
class Drawn(Generic[S]):
    """Scripts drawn for one check, and the time it has to run them."""

    items: list[S]
    error: str | None  # why Hypothesis stopped drawing early, if it did
    began: float  # time.monotonic() when the check began
    deadline: float  # no new batch starts after this

    def batches(self, reference: SqlWorker,
                candidate: SqlWorker) -> Iterator[tuple[list[S], list[Ran], list[Ran]]]:
        """Each batch of BATCH scripts, run on both engines at once, until the deadline."""
        for start in range(0, len(self.items), BATCH):
            if start and time.monotonic() > self.deadline:
                return
            batch = self.items[start:start + BATCH]
            texts = [item.statements for item in batch]
            ours, theirs = run_in_parallel([(reference, texts), (candidate, texts)])
            yield batch, ours, theirs


def draw_scripts(strategy: SearchStrategy[S], seed: int, examples: int, budget_s: float) -> Drawn[S]:
    """Up to ``examples`` scripts, drawn in at most DRAW_SHARE of ``budget_s``; the rest runs them."""
    began = time.monotonic()
    items, error = draw_until(strategy, seed, examples, began + budget_s * DRAW_SHARE)
    return Drawn(items, error, began, began + budget_s)


@dataclass(frozen=True)
class Fault:
    """The worker crashed or hung on this script."""

    status: str  # crash, timeout, memory
    description: str


Steps = list[ScriptStep]
Ran = Steps | Fault


@dataclass(frozen=True)
class Difference:
    kind: str
    statement: int  # the index of the first statement that differs
    reference: str
    candidate: str
    raised: tuple[str, str] = ("", "")  # the exception types each side raised there, if any

    def same_as(self, other: Difference, statements: int, other_statements: int) -> bool:
        """The same difference for shrinking: class, kind of statement (setup or query), exceptions.

        Without this, a shrunk script could show another bug of the same class:
        an unsupported query shrinking into an unsupported CREATE TABLE.
        """
        query, other_query = self.statement == statements - 1, other.statement == other_statements - 1
        return (self.kind, query, self.raised) == (other.kind, other_query, other.raised)


def run_in_parallel(work: Sequence[tuple[SqlWorker, Sequence[Sequence[str]]]]) -> list[list[Ran]]:
    """Each worker's scripts, run on all the workers at once (each worker at most once).

    A worker's list holds each script's steps; a fault ends it at the script it
    struck (its last entry is then the Fault, and the scripts after it are not
    run: one crash or hang is evidence enough). Each script is a case of its
    own, so the per-call time limit applies to one script, never to a batch: a
    slow engine is not taken for a hung one.
    """
    jobs = [(sql.worker, [case("scripts", [list(statements)]) for statements in batch], 1)
            for sql, batch in work if batch]
    replies = iter(run_cases(jobs, arguments=False, stop_after_fatal=True))
    results: list[list[Ran]] = []
    for _, batch in work:
        ran: list[Ran] = []
        for reply in (next(replies) if batch else []):
            outcome = Outcome.from_bytes(reply[0])
            if outcome.status == "ok":
                ran.append(list(outcome.detail[0][0]))
                continue
            # "raise": the driver itself failed (the engine would not even open); else a crash or hang.
            ran.append(Fault("crash" if outcome.status == "raise" else outcome.status, outcome.describe()))
            break
        results.append(ran)
    return results


def compare_steps(reference: Ran, candidate: Ran, ordered: bool) -> Difference | None:
    """The first statement on which the candidate behaved differently; None when all agree.

    Only the last statement (the query) is compared by its rows, in order when
    ``ordered``; the statements before it only by whether they raised: what a
    driver returns for a CREATE or an INSERT (a row count, say) is its own.
    """
    if isinstance(reference, Fault):
        raise ValueError("the reference faulted: the script cannot be judged")
    if isinstance(candidate, Fault):
        kind = "hang" if candidate.status == "timeout" else "crash"
        shown = f"the engine {candidate.description}"
        return Difference(kind, len(reference) - 1, describe(reference[-1]), shown, ("", candidate.status))
    for index, (ours, theirs) in enumerate(zip(reference, candidate, strict=True)):
        raised = (ours[0] == "raise", theirs[0] == "raise")
        if raised == (False, True):
            kind = "unsupported"
        elif raised == (True, False):
            kind = "wrong_error"
        elif index < len(reference) - 1 or raised == (True, True) or same_step(ours, theirs, ordered):
            continue
        else:
            kind = "wrong_result"
        return Difference(kind, index, describe(ours), describe(theirs), (_raised(ours), _raised(theirs)))
    return None


def _raised(step: ScriptStep) -> str:
    """The exception's type name, when the statement raised ("OperationalError: ..." -> OperationalError)."""
    return str(step[1]).partition(":")[0] if step[0] == "raise" else ""


def same_step(ours: ScriptStep, theirs: ScriptStep, ordered: bool) -> bool:
    """Two outcomes of one query: the same kind, and the same rows."""
    if ours[0] != theirs[0]:
        return False
    return ours[0] != "rows" or same_rows(ours[1], theirs[1], ordered)


def same_rows(ours: Sequence[Sequence[object]], theirs: Sequence[Sequence[object]], ordered: bool) -> bool:
    """Rows equal value by value (``same_value``), in order or as multisets."""
    if len(ours) != len(theirs):
        return False
    if not ordered:
        ours, theirs = sorted(ours, key=row_key), sorted(theirs, key=row_key)
    return all(len(a) == len(b) and all(map(same_value, a, b)) for a, b in zip(ours, theirs, strict=True))


def same_value(ours: object, theirs: object) -> bool:
    """Equal as SQLite compares: an integer equals a real of the same value (2 and 2.0).

    SQLite itself holds 2 and 2.0 equal, and which of them a DISTINCT, GROUP
    BY, MIN or MAX keeps depends on the query plan, so their types cannot be
    held against an engine; a query that asks ``typeof(...)`` still compares
    the types. Two reals may differ in their last bits (sums in another
    order). Text, blobs and NULL must be the same.
    """
    numbers = (int, float)
    if type(ours) in numbers and type(theirs) in numbers:
        if type(ours) is int and type(theirs) is int:
            return ours == theirs
        return ours == theirs or math.isclose(ours, theirs, rel_tol=REL_TOL)  # type: ignore[arg-type]
    return type(ours) is type(theirs) and ours == theirs


def row_key(row: Sequence[object]) -> tuple[tuple[Any, ...], ...]:
    """A sort key for rows of mixed values, as SQLite orders them (NULL, numbers, text, blobs).

    Numbers sort by their value rounded to 9 digits, so that two reals that
    ``same_value`` holds equal sort alike in both lists, then by their exact
    value, so that equal lists always sort the same way.
    """
    return tuple(value_key(value) for value in row)


def value_key(value: object) -> tuple[Any, ...]:
    if value is None:
        return (0,)
    if isinstance(value, int | float):
        number = float(value)
        return (1, float(f"{number:.9g}") if math.isfinite(number) else number, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, bytes):
        return (3, value)
    return (4, repr(value))


def describe(step: ScriptStep | Fault) -> str:
    if isinstance(step, Fault):
        return step.description
    kind, payload = step
    if kind == "raise":
        return f"raised {payload}"
    if kind == "done":
        return "succeeded"
    rows = list(payload)
    shown = ", ".join("(" + ", ".join(_shown(v) for v in row) + ")" for row in rows[:6])
    more = f", ... ({len(rows)} rows)" if len(rows) > 6 else ""
    return f"{len(rows)} row(s): [{shown}{more}]"


def _shown(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "X'" + value.hex().upper() + "'"
    return repr(value)
