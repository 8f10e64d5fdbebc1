"""``same_results``: the candidate's outcomes are the reference's, input by input.

Two phases, cheap first: every supplied input (batched over the pipe), then
generated inputs from the spec's strategy, one Hypothesis example per call so
that Hypothesis can shrink a difference to a minimal counterexample. Each
candidate call is repeated on a fresh copy of the input to catch a candidate
that disagrees with itself. The reference's outcomes are cached by input, so
several candidates cost the reference one run.
"""

from __future__ import annotations

import base64
import marshal
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis.strategies import SearchStrategy

from signoff.criteria.base import (
    CheckContext,
    Criterion,
    EvidenceView,
    Line,
    ReferenceCache,
    ReplayCommand,
)
from signoff.criteria.hypothesis_run import DRAW_PHASES, SHRINK_PHASES, Differs, run_quietly
from signoff.equality import Equality, as_equality
from signoff.errors import SpecError
from signoff.inputs import Call, require_seconds
from signoff.outcomes import FATAL, Difference, ExceptionMode, Outcome, compare, compare_repeat
from signoff.progress import BudgetProgress
from signoff.runner.batches import run_cases
from signoff.runner.process import Worker
from signoff.verdict import CheckResult

DEFAULT_EXAMPLES = 200  # generated cases per candidate: enough to find most edge-case bugs
DEFAULT_BUDGET_S = 120.0  # generation plus shrinking, per candidate
BATCH_SIZE = 256  # supplied cases per request: amortises the pipe, keeps a batch short
MAX_LISTED = 5  # differences listed in the evidence beside the smallest one
REPEAT_EVERY = 4  # supplied batches: the determinism repeat runs on one in four
COUNTEREXAMPLE_KEYS = ("input", "kind", "reference", "candidate", "replay", "differences", "more", "case")


def _counterexample_lines(evidence: Mapping[str, Any]) -> list[Line]:
    """The smallest differing input and both outcomes (the replay command is the report's to print)."""
    if "input" not in evidence:
        return []
    return [((label, "bold"), (text, "")) for label, text in (
        ("input      ", str(evidence["input"])),
        ("reference  ", _outcome_text(evidence.get("reference"))),
        ("candidate  ", _outcome_text(evidence.get("candidate"))),
    )]


def _outcome_text(outcome: object) -> str:
    if isinstance(outcome, Mapping):
        return str(outcome.get("text", outcome))
    return str(outcome)


@dataclass(frozen=True)
class SameResults(Criterion):
    name: ClassVar[str] = "same_results"
    run_order: ClassVar[int] = 0  # answers first: a cost is only worth measuring for a right answer
    view: ClassVar[EvidenceView] = EvidenceView(
        figures=("supplied", "generated", "skipped", "equal"),
        layouts=(("counterexample", COUNTEREXAMPLE_KEYS),),
        lead=("input", "kind", "reference", "candidate", "replay"),
        lines=_counterexample_lines,
    )
    examples: int = DEFAULT_EXAMPLES
    equal: Equality = field(default_factory=Equality)
    exceptions: ExceptionMode = "type"
    determinism: bool = True
    budget_s: float = DEFAULT_BUDGET_S

    def check(self, context: CheckContext) -> CheckResult:
        return check_same_results(
            self, reference=context.reference, candidate=context.candidate, strategy=context.strategy,
            corpus=context.corpus, seed=context.seed, name=context.name, replay=context.replay,
            progress=context.progress,
        )


def same_results(
    examples: int = DEFAULT_EXAMPLES,
    equal: object = None,
    exceptions: str = "type",
    determinism: bool = True,
    budget: float = DEFAULT_BUDGET_S,
) -> SameResults:
    """The candidate's outcomes match the reference's on every input.

    ``examples`` generated cases (plus every supplied one); ``equal`` is
    ``"exact"`` (default), ``"unordered"``, ``signoff.approx(rel, abs)`` or a
    function; ``exceptions`` is ``"type"`` (default), ``"message"`` (type and
    message) or ``"any"``; ``determinism`` repeats each candidate call once
    and requires the same outcome; ``budget`` caps the seconds spent.
    """
    if not isinstance(examples, int) or isinstance(examples, bool) or examples < 0:
        raise SpecError(f"same_results(examples=...) must be an int >= 0, not {examples!r}")
    if exceptions not in ("type", "message", "any"):
        raise SpecError(
            f"same_results(exceptions=...) must be 'type', 'message' or 'any', not {exceptions!r}"
        )
    require_seconds(budget, "same_results(budget=...)")
    return SameResults(examples, as_equality(equal), exceptions, bool(determinism),  # type: ignore[arg-type]
                       float(budget))


@dataclass(frozen=True, slots=True)
class Failure:
    call: Call
    case: bytes
    reference: bytes
    candidate: bytes
    difference: Difference


@dataclass
class _Tally:
    supplied: int = 0
    generated: int = 0
    skipped: int = 0  # inputs the reference itself could not finish
    failures: list[Failure] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    budget_hit: bool = False


def check_same_results(
    criterion: SameResults,
    *,
    reference: ReferenceCache,
    candidate: Worker,
    strategy: SearchStrategy[Call] | None,
    corpus: Sequence[Call],
    seed: int,
    name: str,
    replay: ReplayCommand,
    progress: BudgetProgress | None = None,
) -> CheckResult:
    """Run the criterion for one candidate and judge it."""
    tally = _Tally()
    deadline = time.monotonic() + criterion.budget_s
    repeat = 2 if criterion.determinism else 1

    def judge(call: Call, case: bytes, ref: bytes, outcomes: tuple[bytes, ...],
              count: bool = True) -> Failure | None:
        if Outcome.from_bytes(ref, values=False).status in FATAL:
            tally.skipped += count  # inputs the reference cannot finish are not evidence
            return None
        difference = compare(ref, outcomes[0], criterion.equal, criterion.exceptions)
        if difference is None and len(outcomes) == 2:
            difference = compare_repeat(outcomes[0], outcomes[1])
        if difference is None:
            return None
        return Failure(call, case, ref, outcomes[0], difference)

    # Phase 1: supplied inputs, in batches, every one of them; the
    # determinism repeat on every REPEAT_EVERY-th batch (a corpus is large
    # and a candidate that disagrees with itself does so on most inputs).
    for batch, start in enumerate(range(0, len(corpus), BATCH_SIZE)):
        if time.monotonic() > deadline:
            tally.budget_hit = True
            break
        calls = corpus[start:start + BATCH_SIZE]
        cases = [c.case("a supplied input") for c in calls]
        batch_repeat = repeat if batch % REPEAT_EVERY == 0 else 1
        references, candidates = _run(reference, candidate, cases, batch_repeat)
        for call, case, ref, outcomes in zip(calls, cases, references, candidates, strict=False):
            tally.supplied += 1
            failure = judge(call, case, ref, outcomes)
            if failure:
                tally.failures.append(failure)
                tally.kinds[failure.difference.kind] += 1
        if progress:
            progress("supplied inputs", tally.supplied, len(corpus), deadline - time.monotonic())
        if len(candidates) < len(cases):
            break  # the candidate crashed or hung: one such input is evidence enough

    # Phase 2: generated inputs. Hypothesis draws them all first (cheap), they
    # run in batches like supplied ones, and only when one differs does
    # Hypothesis run again, one input per call, to shrink it. The same seed
    # draws the same inputs in the same order, so the inputs already known to
    # pass are skipped on the way to the first difference.
    error: str | None = None
    if strategy is not None and criterion.examples and not tally.budget_hit:
        drawn: list[Call] = []

        def draw(call: Call) -> None:
            drawn.append(call)

        error = run_quietly(strategy, seed, criterion.examples, DRAW_PHASES, draw)
        first: Failure | None = None
        known: list[bytes] = []
        for start in range(0, len(drawn), BATCH_SIZE):
            if time.monotonic() > deadline:
                tally.budget_hit = True
                break
            calls = drawn[start:start + BATCH_SIZE]
            cases = [c.case("an input the strategy drew") for c in calls]
            references, candidates = _run(reference, candidate, cases, repeat)
            for call, case, ref, outcomes in zip(calls, cases, references, candidates, strict=False):
                tally.generated += 1
                first = judge(call, case, ref, outcomes)
                if first:
                    break
                known.append(case)
            if progress:
                progress("generated inputs", tally.generated, criterion.examples,
                         deadline - time.monotonic())
            if first:
                break
        if first is not None:
            shrink_repeat = repeat if first.difference.kind == "nondeterministic" else 1

            def run_one(case: bytes) -> tuple[list[bytes], list[tuple[bytes, ...]]]:
                return _run(reference, candidate, [case], shrink_repeat)

            smallest = _shrink(first, known, strategy, seed, criterion.examples, deadline, run_one, judge)
            tally.failures.append(smallest)
            tally.kinds[smallest.difference.kind] += 1

    return _verdict(criterion, tally, name, replay, error)


# The reference's outcome where its own batch stopped early (it crashed or hung).
_LOST = marshal.dumps(("crash", "stopped before this input"), 2)


def _shrink(
    first: Failure, known: list[bytes], strategy: SearchStrategy[Call], seed: int, examples: int,
    deadline: float,
    run_one: Callable[[bytes], tuple[list[bytes], list[tuple[bytes, ...]]]],
    judge: Callable[[Call, bytes, bytes, tuple[bytes, ...], bool], Failure | None],
) -> Failure:
    """The smallest input Hypothesis finds that still differs; ``first`` if none is smaller.

    While shrinking, one call per input is enough to see the difference again
    (halving the cost of shrinking a hang), unless the difference is the
    candidate disagreeing with itself (``run_one`` knows which).
    """
    found: list[Failure] = []
    seen = 0

    def one_example(call: Call) -> None:
        nonlocal seen
        case = call.case("an input the strategy drew")
        index, seen = seen, seen + 1
        if index < len(known) and case == known[index]:
            return  # passed in the batch run
        if time.monotonic() > deadline:
            # Out of budget: stop judging. Hypothesis sees passes, so its
            # shrinking stops, and the smallest difference so far stands.
            return
        [ref], [outcomes] = run_one(case)
        failure = judge(call, case, ref, outcomes, False)
        if failure:
            found.append(failure)
            raise Differs

    run_quietly(strategy, seed, examples, SHRINK_PHASES, one_example)
    return found[-1] if found else first  # Hypothesis replays the minimal one last


def _run(
    cache: ReferenceCache, candidate: Worker, cases: list[bytes], repeat: int
) -> tuple[list[bytes], list[tuple[bytes, ...]]]:
    """Reference outcomes (cached) and candidate outcomes for ``cases``, run side by side."""
    missing = [case for case in dict.fromkeys(cases) if case not in cache.outcomes]
    batches: list[tuple[Worker, Sequence[bytes], int]] = [(candidate, cases, repeat)]
    if missing:
        batches.append((cache.worker, missing, 1))
    # A candidate's crash or hang ends its batch (a hang costs one timeout, not
    # one per input): the candidate's list may be shorter than ``cases``.
    results = run_cases(batches, stop_after_fatal=True)
    if missing:
        for case, (outcome,) in zip(missing, results[1], strict=False):
            cache.outcomes[case] = outcome
    done = results[0]
    return [cache.outcomes.get(case, _LOST) for case in cases[:len(done)]], done


def _verdict(
    criterion: SameResults, tally: _Tally, name: str, replay: ReplayCommand, error: str | None
) -> CheckResult:
    cases = tally.supplied + tally.generated
    counts = f"{tally.supplied} supplied and {tally.generated} generated inputs"
    base: dict[str, Any] = {
        "supplied": tally.supplied, "generated": tally.generated,
        "skipped": tally.skipped, "equal": criterion.equal.describe(),
    }
    if tally.failures:
        smallest = min(tally.failures, key=lambda failure: len(failure.call.render()))
        evidence = base | _failure_evidence(smallest, name, replay)
        evidence["differences"] = dict(tally.kinds)
        evidence["more"] = [
            {"input": failure.call.render(name), "summary": failure.difference.summary}
            for failure in tally.failures[:MAX_LISTED] if failure is not smallest
        ]
        kinds = ", ".join(f"{count} {kind}" for kind, count in tally.kinds.most_common())
        return CheckResult(
            SameResults.name, "fail",
            f"{smallest.difference.kind} on {smallest.call.render(name)}: "
            f"{smallest.difference.summary} ({kinds} in {cases} inputs)",
            evidence,
        )
    if error is not None:
        return CheckResult(SameResults.name, "error", error, base)
    if tally.budget_hit:  # before "no inputs": a budget spent before the first input is no lack of inputs
        return CheckResult(
            SameResults.name, "inconclusive",
            f"budget of {criterion.budget_s:g} s ran out after {counts}, no difference so far",
            base,
        )
    if cases == 0:
        text = ("no inputs: examples=0 (--examples 0) generates none and none were supplied; give "
                "--examples N or --inputs FILE" if criterion.examples == 0
                else "no inputs: give the spec inputs=..., or supply --inputs")
        return CheckResult(SameResults.name, "error", text, base)
    if tally.skipped == cases:
        return CheckResult(SameResults.name, "error",
                           "the reference itself failed on every input", base)
    note = f" ({tally.skipped} skipped: the reference failed on them)" if tally.skipped else ""
    return CheckResult(SameResults.name, "pass", f"same outcomes on {counts}{note}", base)


def _failure_evidence(failure: Failure, name: str, replay: ReplayCommand) -> dict[str, Any]:
    return {
        "input": failure.call.render(name),
        "kind": failure.difference.kind,
        "reference": Outcome.from_bytes(failure.reference).to_json(),
        "candidate": Outcome.from_bytes(failure.candidate).to_json(),
        "case": base64.b64encode(failure.case).decode("ascii"),
        "replay": replay(failure.case),
    }
