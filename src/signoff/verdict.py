"""Results as data: check results, candidate results, run results.

Everything here is a frozen, slotted dataclass; formatting lives in
``signoff.report``. ``RunResult.to_json()`` gives the versioned report of
DESIGN.md (``"schema": "signoff.report/1"``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# "skipped": a check that did not run, and why (its summary): it counts neither for nor against
# a candidate, but a candidate whose every check was skipped was not judged (an error).
Verdict = Literal["pass", "fail", "inconclusive", "error", "skipped"]

REPORT_SCHEMA = "signoff.report/1"

# A fail outranks an error, an error an inconclusive, an inconclusive a pass:
# the combined verdict is the worst one seen.
_SEVERITY: dict[Verdict, int] = {"skipped": 0, "pass": 0, "inconclusive": 1, "error": 2, "fail": 3}

# Exit status by combined verdict (DESIGN.md): 2 is for bad input, raised before any check.
EXIT_CODES: dict[Verdict, int] = {"pass": 0, "fail": 1, "inconclusive": 3, "error": 3, "skipped": 3}


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst of ``verdicts``; ``pass`` for none."""
    worst: Verdict = "pass"
    for verdict in verdicts:
        if _SEVERITY[verdict] > _SEVERITY[worst]:
            worst = verdict
    return worst


def timed(run: Callable[[], CheckResult], since: float | None = None) -> CheckResult:
    """``run()``'s check result, with the seconds it took (from ``since``, a ``time.monotonic()``
    reading, when its work began earlier) as its evidence ``duration_s``: what the JUnit report
    shows as the test case's time."""
    started = time.monotonic() if since is None else since
    result = run()
    return dataclasses.replace(result, evidence={**result.evidence,
                                                 "duration_s": round(time.monotonic() - started, 3)})


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One criterion judged for one candidate."""

    criterion: str
    verdict: Verdict
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "verdict": self.verdict,
            "summary": self.summary,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class CandidateResult:
    """Every check of one candidate."""

    target: str
    checks: tuple[CheckResult, ...]

    @property
    def verdict(self) -> Verdict:
        """The worst check's verdict; an error when nothing was checked (no check, or every one
        skipped): never a pass."""
        judged = [check.verdict for check in self.checks if check.verdict != "skipped"]
        return combine(judged) if judged else "error"

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "verdict": self.verdict,
            "checks": [check.to_json() for check in self.checks],
        }


@dataclass(frozen=True, slots=True)
class RunResult:
    """A whole run: the reference, the seed and each candidate's result."""

    reference: str
    seed: int
    candidates: tuple[CandidateResult, ...]
    spec: str | None = None
    duration_s: float = 0.0
    # Why the run ended before its checks did, when it did: bad input found during the run, or a
    # run that never finished (killed). Its checks may all have passed; the run did not.
    stopped: str | None = None
    # The machine it was measured on (signoff.environment), when known: the command line's runs
    # and the store's record of them; a library call returns None.
    environment: Mapping[str, Any] | None = None

    @property
    def noise(self) -> float | None:
        """The run's noise figure: the largest ``noise`` (the relative spread of the reference's
        repeated timings) in any check's evidence; None when no check measured one."""
        noises = [_fraction(check.evidence.get("noise")) for candidate in self.candidates
                  for check in candidate.checks if isinstance(check.evidence, Mapping)]
        return max((noise for noise in noises if noise is not None), default=None)

    @property
    def verdict(self) -> Verdict:
        """The worst candidate's verdict; an error when the run stopped early or there was no
        candidate (a batch with no sample to judge): nothing judged is never a pass."""
        if self.stopped is not None or not self.candidates:
            return "error"
        return combine(candidate.verdict for candidate in self.candidates)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "verdict": self.verdict,
            "seed": self.seed,
            "reference": self.reference,
            "spec": self.spec,
            "duration_s": round(self.duration_s, 3),
            **({"stopped": self.stopped} if self.stopped is not None else {}),
            **({"environment": dict(self.environment)} if self.environment is not None else {}),
            "candidates": [candidate.to_json() for candidate in self.candidates],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunResult:
        """Rebuild a run from ``to_json()`` output (the stored verdicts are kept as written)."""
        candidates = tuple(
            CandidateResult(
                target=c["target"],
                checks=tuple(
                    CheckResult(
                        criterion=k["criterion"],
                        verdict=k["verdict"],
                        summary=k["summary"],
                        evidence=k.get("evidence", {}),
                    )
                    for k in c["checks"]
                ),
            )
            for c in data["candidates"]
        )
        environment = data.get("environment")
        return cls(
            reference=data["reference"],
            seed=data["seed"],
            candidates=candidates,
            spec=data.get("spec"),
            duration_s=data.get("duration_s", 0.0),
            stopped=data.get("stopped"),
            environment=environment if isinstance(environment, Mapping) else None,
        )


def _fraction(value: object) -> float | None:
    """``value`` when it is a finite, non-negative real number (evidence may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value < float("inf") else None
