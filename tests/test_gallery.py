"""Every flawed candidate in tests/gallery/ gets the verdict it must get, for the right reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import signoff

GALLERY = Path(__file__).parent / "gallery"

# (spec, candidate file, verdict, difference kind the evidence must name, text in the summary)
CASES = [
    ("sort_spec.py", "sort_mergesort.py", "pass", None, "same outcomes"),
    ("sort_spec.py", "sort_heap.py", "pass", None, "same outcomes"),
    ("sort_spec.py", "sort_mutates.py", "fail", "mutation", "arguments differ"),
    ("sort_spec.py", "sort_nondeterministic.py", "fail", "nondeterministic", "two outcomes"),
    ("sort_spec.py", "sort_segfault.py", "fail", "crash", "SIGSEGV"),
    ("sort_spec.py", "sort_exit.py", "fail", "crash", "exited with status 3"),
    ("sort_spec.py", "sort_hangs.py", "fail", "timeout", "timed out"),
    ("sort_spec.py", "sort_hog.py", "fail", "memory", "memory"),
    ("sort_spec.py", "sort_always_equal.py", "fail", "value", "Anything"),
    ("sort_spec.py", "sort_import_error.py", "fail", None, "failed to import: RuntimeError"),
    ("sort_spec.py", "sort_flood.py", "fail", "flood", "flooded"),
    ("sort_spec.py", "sort_unserializable.py", "fail", "unserializable", "generator"),
    ("mean_spec.py", "mean_fmean.py", "pass", None, "same outcomes"),
    ("mean_spec.py", "mean_empty.py", "fail", "exception", "raised ValueError"),
    ("mean_spec.py", "mean_wrong_exception.py", "fail", "exception", "ZeroDivisionError"),
    ("mean_spec.py", "mean_drift.py", "fail", "value", "returned"),
    ("mean_spec.py", "mean_int.py", "fail", "value", "returned 0"),
]


SLOW = {"sort_hangs.py"}  # waits out the time limit on each of its calls


@pytest.mark.parametrize(
    ("spec_file", "candidate", "verdict", "kind", "text"),
    [pytest.param(*case, id=case[1].removesuffix(".py"), marks=[pytest.mark.slow] if case[1] in SLOW else [])
     for case in CASES],
)
def test_gallery_verdict(spec_file, candidate, verdict, kind, text):
    loaded = signoff.load_spec(GALLERY / spec_file)
    result = signoff.check(loaded, [str(GALLERY / candidate) + ":" + loaded.spec.reference_target.qualname],
                           signoff.RunOptions(seed=12345))
    [candidate_result] = result.candidates
    [check] = candidate_result.checks
    assert check.verdict == verdict, check.summary
    assert text in check.summary
    if kind is not None:
        assert check.evidence["kind"] == kind
        assert check.evidence["replay"].startswith("signoff replay --spec ")
        assert check.evidence["input"].startswith(loaded.spec.reference_target.qualname + "(")


def test_a_crash_does_not_stop_the_other_candidates():
    loaded = signoff.load_spec(GALLERY / "sort_spec.py")
    names = ["sort_segfault.py", "sort_import_error.py", "sort_mergesort.py"]
    result = signoff.check(loaded, [f"{GALLERY / name}:sort" for name in names],
                           signoff.RunOptions(seed=1))
    assert [c.verdict for c in result.candidates] == ["fail", "fail", "pass"]
    assert result.verdict == "fail" and result.exit_code == 1


def test_counterexample_is_shrunk_to_the_minimal_input():
    loaded = signoff.load_spec(GALLERY / "sort_spec.py")
    result = signoff.check(loaded, [f"{GALLERY / 'sort_segfault.py'}:sort"], signoff.RunOptions(seed=7))
    assert result.candidates[0].checks[0].evidence["input"] == "sort([0, 0, 0, 0])"


def test_drift_counterexample_shows_both_values():
    loaded = signoff.load_spec(GALLERY / "mean_spec.py")
    result = signoff.check(loaded, [f"{GALLERY / 'mean_drift.py'}:mean"], signoff.RunOptions(seed=3))
    evidence = result.candidates[0].checks[0].evidence
    # The supplied cancelling input is found first: fsum gives 1/3, a naive sum 0.
    assert evidence["input"] == "mean([1e+16, 1.0, -1e+16])"
    assert evidence["reference"]["value"] == repr(1 / 3)
    assert evidence["candidate"]["value"] == "0.0"
