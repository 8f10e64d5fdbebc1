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
import pickle
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.reporting import with_reporter
from hypothesis.strategies import SearchStrategy

from signoff.outcomes import FATAL, Difference, Outcome, compare, compare_repeat
from signoff.runner.process import Worker, run_cases
from signoff.spec import Call, SameResults
from signoff.verdict import CheckResult

BATCH_SIZE = 256  # supplied cases per request: amortises the pipe, keeps a batch short
MAX_LISTED = 5  # differences listed in the evidence beside the smallest one

Progress = Callable[[str, int, int], None]  # (phase, done, total)
ReplayCommand = Callable[[bytes], str]  # pickled case -> shell command that replays it


@dataclass
class ReferenceCache:
    """The reference's outcome per pickled input, shared by all candidates."""

    worker: Worker
    outcomes: dict[bytes, bytes] = field(default_factory=dict)


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
    progress: Progress | None = None,
) -> CheckResult:
    """Run the criterion for one candidate and judge it."""
    tally = _Tally()
    deadline = time.monotonic() + criterion.budget_s
    repeat = 2 if criterion.determinism else 1

    def judge(call: Call, case: bytes, ref: bytes, outcomes: tuple[bytes, ...]) -> Failure | None:
        if Outcome.from_bytes(ref).status in FATAL:
            tally.skipped += 1
            return None
        difference = compare(ref, outcomes[0], criterion.equal, criterion.exceptions)
        if difference is None and len(outcomes) == 2:
            difference = compare_repeat(outcomes[0], outcomes[1])
        if difference is None:
            return None
        return Failure(call, case, ref, outcomes[0], difference)

    # Phase 1: supplied inputs, in batches, every one of them.
    for start in range(0, len(corpus), BATCH_SIZE):
        if time.monotonic() > deadline:
            tally.budget_hit = True
            break
        calls = corpus[start:start + BATCH_SIZE]
        cases = [pickle.dumps((c.args, c.kwargs), pickle.HIGHEST_PROTOCOL) for c in calls]
        references, candidates = _run(reference, candidate, cases, repeat)
        for call, case, ref, outcomes in zip(calls, cases, references, candidates, strict=True):
            tally.supplied += 1
            failure = judge(call, case, ref, outcomes)
            if failure:
                tally.failures.append(failure)
                tally.kinds[failure.difference.kind] += 1
        if progress:
            progress("supplied inputs", tally.supplied, len(corpus))

    # Phase 2: generated inputs, shrunk by Hypothesis on the first difference.
    error: str | None = None
    if strategy is not None and criterion.examples and not tally.budget_hit:
        generated: list[Failure] = []

        def one_example(call: Call) -> None:
            if time.monotonic() > deadline:
                # Out of budget: stop judging. Hypothesis sees passes, so its
                # shrinking stops, and the smallest difference so far stands.
                tally.budget_hit = True
                return
            case = pickle.dumps((call.args, call.kwargs), pickle.HIGHEST_PROTOCOL)
            # While shrinking, one call per input is enough to see the difference
            # again (halving the cost of shrinking a hang), unless the difference
            # is the candidate disagreeing with itself.
            again = not generated or generated[0].difference.kind == "nondeterministic"
            [ref], [outcomes] = _run(reference, candidate, [case], repeat if again else 1)
            if not generated:
                tally.generated += 1
                if progress:
                    progress("generated inputs", tally.generated, criterion.examples)
            failure = judge(call, case, ref, outcomes)
            if failure:
                generated.append(failure)
                raise _Differs

        test = settings(
            max_examples=criterion.examples, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
            # No explain phase: it calls the test on variants after shrinking, which
            # would cost a slow candidate dearly and make the last failure not the minimal one.
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        )(given(strategy)(one_example))
        test = hypothesis.seed(seed)(test)
        with with_reporter(lambda _text: None):
            try:
                test()
            except _Differs:
                pass
            except Unsatisfiable:
                error = "the reference could not finish on any generated input"
            except hypothesis.errors.HypothesisException as exception:
                # Flaky: the candidate changed its mind on a replayed input. The
                # differences already seen are real; report them.
                if not generated:
                    error = f"Hypothesis stopped: {type(exception).__name__}: {exception}"
            except Exception as exception:  # the user's strategy raised
                error = f"generating inputs failed: {type(exception).__name__}: {exception}"
        if generated:
            tally.failures.append(generated[-1])  # Hypothesis replays the minimal one last
            tally.kinds[generated[-1].difference.kind] += 1

    return _verdict(criterion, tally, name, replay, error)


class _Differs(Exception):
    """Raised inside the Hypothesis test so that it shrinks the input."""


def _run(
    cache: ReferenceCache, candidate: Worker, cases: list[bytes], repeat: int
) -> tuple[list[bytes], list[tuple[bytes, ...]]]:
    """Reference outcomes (cached) and candidate outcomes for ``cases``, run side by side."""
    missing = [case for case in dict.fromkeys(cases) if case not in cache.outcomes]
    batches: list[tuple[Worker, Sequence[bytes], int]] = [(candidate, cases, repeat)]
    if missing:
        batches.append((cache.worker, missing, 1))
    results = run_cases(batches)
    if missing:
        for case, (outcome,) in zip(missing, results[1], strict=True):
            cache.outcomes[case] = outcome
    return [cache.outcomes[case] for case in cases], results[0]


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
            "same_results", "fail",
            f"{smallest.difference.kind} on {smallest.call.render(name)}: "
            f"{smallest.difference.summary} ({kinds} in {cases} inputs)",
            evidence,
        )
    if error is not None:
        return CheckResult("same_results", "error", error, base)
    if cases == 0:
        return CheckResult("same_results", "error",
                           "no inputs: give the spec inputs=..., or supply --inputs", base)
    if tally.budget_hit:
        return CheckResult(
            "same_results", "inconclusive",
            f"budget of {criterion.budget_s:g} s ran out after {counts}, no difference so far",
            base,
        )
    if tally.skipped == cases:
        return CheckResult("same_results", "error",
                           "the reference itself failed on every input", base)
    note = f" ({tally.skipped} skipped: the reference failed on them)" if tally.skipped else ""
    return CheckResult("same_results", "pass", f"same outcomes on {counts}{note}", base)


def _failure_evidence(failure: Failure, name: str, replay: ReplayCommand) -> dict[str, Any]:
    return {
        "input": failure.call.render(name),
        "kind": failure.difference.kind,
        "reference": Outcome.from_bytes(failure.reference).to_json(),
        "candidate": Outcome.from_bytes(failure.candidate).to_json(),
        "case": base64.b64encode(failure.case).decode("ascii"),
        "replay": replay(failure.case),
    }
