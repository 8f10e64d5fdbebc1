"""A hand-built run that every report test renders, and the golden-file fixture.

The run covers each verdict and each kind of evidence: a pass, a same_results
fail with a counterexample, a speed fail, a scaling fail with fits, a memory
pass, an inconclusive, an error and a candidate that failed to load.

Golden files live in tests/report/golden/. After a deliberate change to a
report's layout, regenerate them and review the diff before committing:

    SIGNOFF_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report -q
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from signoff.verdict import CandidateResult, CheckResult, RunResult

GOLDEN = Path(__file__).parent / "golden"
SIZES = [1_000 * 2**k for k in range(8)]  # 1,000 .. 128,000


def _curve(a: float, b: float, power: int) -> list[float]:
    """Seconds per size for t(n) = a + b*(n/max n)^power, with a little fixed wobble."""
    top = SIZES[-1]
    return [float(f"{(a + b * (n / top) ** power) * (1 + 0.03 * ((k * 7) % 5 - 2) / 2):.6g}")
            for k, n in enumerate(SIZES)]


def _fit(best: str, runner_up: str, coefficients: dict[str, list[float]], misfit: float) -> dict[str, Any]:
    return {"best": best, "runner_up": runner_up, "coefficients": coefficients, "misfit": misfit}


def _pairs(count: int, reference: float, ratio: float) -> list[list[float]]:
    return [[float(f"{reference * (1 + 0.02 * (k % 5)):.6g}"),
             float(f"{reference * ratio * (1 + 0.03 * (k % 7) - 0.09):.6g}")] for k in range(count)]


def scaling_evidence(reference_power: int, candidate_power: int, candidate_b: float) -> dict[str, Any]:
    classes = {1: "O(n)", 2: "O(n^2)"}
    ref_class, cand_class = classes[reference_power], classes[candidate_power]
    return {
        "sizes": SIZES,
        "reference_seconds": _curve(5e-6, 0.0128, reference_power),
        "candidate_seconds": _curve(1e-5, candidate_b, candidate_power),
        "repeats": {"reference": [5] * 8, "candidate": [5] * 8},
        "no_worse_than": "reference",
        "reference_class": ref_class,
        "candidate_class": cand_class,
        "reference_fit": _fit(ref_class, "O(n log n)", {
            "O(1)": [0.004, 0.0], "O(n)": [5e-6, 0.0128], "O(n log n)": [0.0002, 0.0121]}, 0.021),
        "candidate_fit": _fit(cand_class, "O(n^3)", {
            "O(1)": [0.2, 0.0], "O(n)": [0.0, candidate_b * 0.8],
            cand_class: [1e-5, candidate_b], "O(n^3)": [0.01, candidate_b * 0.9]}, 0.034),
    }


def sample_run() -> RunResult:
    """Three candidates for ``text.slugify``, one check of each kind of verdict and evidence."""
    good = CandidateResult("candidates/good.py:slugify", (
        CheckResult("same_results", "pass", "same outcomes on 12 supplied and 400 generated inputs",
                    {"supplied": 12, "generated": 400, "skipped": 0, "equal": "=="}),
        CheckResult("speed", "pass",
                    "0.871x the reference's time at size 128000 (95% CI 0.85-0.893, 30 pairs) <= 1.2x",
                    {"ratio": 0.871, "ci95": [0.85, 0.893], "pairs": 30, "at_most": 1.2, "size": 128_000,
                     "decided_by": "interval", "pair_seconds": _pairs(30, 0.0128, 0.92),
                     "calls_per_batch": {"reference": 1, "candidate": 1}}),
        CheckResult("scaling", "pass",
                    "grows as O(n), no worse than O(n) (candidate O(n), reference O(n))",
                    scaling_evidence(1, 1, 0.0111)),
        CheckResult("memory", "pass",
                    "1.02x the reference's peak memory at size 128000 (1.31 MiB vs 1.28 MiB) <= 2x",
                    {"ratio": 1.02, "ci95": [1.01, 1.03], "pairs": 3, "at_most": 2.0, "size": 128_000,
                     "reference_bytes": [1_342_177, 1_342_301, 1_342_250],
                     "candidate_bytes": [1_373_634, 1_373_700, 1_373_512],
                     "method": "max(tracemalloc peak, rss) + 64 KiB floor"}),
    ))
    flawed = CandidateResult("candidates/flawed.py:slugify", (
        CheckResult("same_results", "fail",
                    "value on slugify('0\\x800'): returned '0-0', expected '00' (3 value in 412 inputs)",
                    {"supplied": 12, "generated": 400, "skipped": 0, "equal": "==",
                     "input": "slugify('0\\x800')", "kind": "value",
                     "reference": {"status": "ok", "text": "returned '00'", "value": "'00'"},
                     "candidate": {"status": "ok", "text": "returned '0-0'", "value": "'0-0'"},
                     "case": "gASVCQAAAAAAAACMBTDCgDCUhZQu",
                     "replay": "signoff replay --spec spec.py --candidate candidates/flawed.py:slugify "
                               "--case gASVCQAAAAAAAACMBTDCgDCUhZQu",
                     "differences": {"value": 3},
                     "more": [{"input": "slugify('a\\x85b')", "summary": "returned 'a-b', expected 'ab'"},
                              {"input": "slugify('\\x80')", "summary": "returned '-', expected ''"}]}),
        CheckResult("speed", "fail",
                    "2.04e+03x the reference's time at size 128000 (95% CI 1.9e+03-2.2e+03, 8 pairs) > 1.2x "
                    "(each of 8 pairs over 10x the bound)",
                    {"ratio": 2040.0, "ci95": [1900.0, 2200.0], "pairs": 8, "at_most": 1.2, "size": 128_000,
                     "decided_by": "sign test", "pair_seconds": _pairs(8, 0.0128, 2040.0),
                     "calls_per_batch": {"reference": 1, "candidate": 1}}),
        CheckResult("scaling", "fail",
                    "grows as O(n^2), worse than O(n) (candidate O(n^2), reference O(n))",
                    scaling_evidence(1, 2, 26.1)),
        CheckResult("memory", "inconclusive",
                    "1.9x the reference's peak memory at size 128000 (2.43 MiB vs 1.28 MiB): "
                    "pairs fall on both sides of 2x",
                    {"ratio": 1.9, "ci95": [1.7, 2.3], "pairs": 3, "at_most": 2.0, "size": 128_000,
                     "reference_bytes": [1_342_177, 1_342_301, 1_342_250],
                     "candidate_bytes": [2_281_701, 2_550_136, 3_087_175],
                     "method": "max(tracemalloc peak, rss) + 64 KiB floor"}),
    ))
    broken = CandidateResult("candidates/broken.py:slugify", (
        CheckResult("same_results", "fail",
                    "candidate failed to import: ModuleNotFoundError: No module named 'unidecode'",
                    {"load_failure": "import_failed",
                     "detail": "Traceback (most recent call last):\n  File \"candidates/broken.py\", line 1, "
                               "in <module>\n    import unidecode\n"
                               "ModuleNotFoundError: No module named 'unidecode'\n"}),
        CheckResult("speed", "error", "reference timed out after 10 s at size 128000",
                    {"size": 128_000, "fault": "timeout"}),
    ))
    return RunResult(reference="text:slugify", seed=1234, candidates=(good, flawed, broken),
                     spec="examples/slugify/spec.py", duration_s=42.25)


@pytest.fixture
def run() -> RunResult:
    return sample_run()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with tests/report/golden/NAME; rewrite it when SIGNOFF_UPDATE_GOLDEN=1."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("SIGNOFF_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"{path} is missing: run SIGNOFF_UPDATE_GOLDEN=1 pytest tests/report"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (f"{name} differs from its golden file; if the change is deliberate, "
                                  "regenerate it with SIGNOFF_UPDATE_GOLDEN=1 pytest tests/report "
                                  "and review the diff")

    return check
