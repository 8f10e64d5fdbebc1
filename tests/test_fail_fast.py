"""A candidate whose answers differ is not measured unless --keep-going (issue 13, "fail fast")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import strategies as st

import signoff

GALLERY = Path(__file__).parent / "gallery"
REFERENCE = f"{GALLERY / 'averages.py'}:mean"
WRONG = f"{GALLERY / 'mean_empty.py'}:mean"  # wrong only on [], right on every workload input


def make(n):
    return [1.0] * n


def spec(*criteria):
    return signoff.Spec(reference=REFERENCE, inputs=st.lists(st.floats(-1e6, 1e6)),
                        workload=signoff.workload(make, sizes=(100, 200)), criteria=criteria)


def checks_of(result):
    [candidate] = result.candidates
    return candidate, {check.criterion: check for check in candidate.checks}


def test_costs_of_a_candidate_with_wrong_answers_are_skipped_and_it_still_fails():
    # The cost criteria come first in the spec: they run after same_results all the same.
    result = signoff.check(spec(signoff.speed(at_most=10.0, budget=60), signoff.memory(),
                                signoff.same_results(examples=50)),
                           [WRONG], signoff.RunOptions(seed=1))
    candidate, checks = checks_of(result)
    assert [c.criterion for c in candidate.checks] == ["speed", "memory", "same_results"]
    assert checks["same_results"].verdict == "fail"
    for name in ("speed", "memory"):
        assert checks[name].verdict == "skipped", checks[name].summary
        assert "answers differ" in checks[name].summary and "--keep-going" in checks[name].summary
    assert candidate.verdict == "fail" and result.exit_code == 1


def test_keep_going_measures_them_anyway():
    result = signoff.check(spec(signoff.same_results(examples=50), signoff.speed(at_most=10.0, budget=20)),
                           [WRONG], signoff.RunOptions(seed=1), keep_going=True)
    candidate, checks = checks_of(result)
    assert checks["same_results"].verdict == "fail"
    assert checks["speed"].verdict != "skipped", checks["speed"].summary
    assert "pairs" in checks["speed"].evidence  # it was timed
    assert candidate.verdict == "fail"


def test_a_candidate_with_right_answers_is_measured():
    result = signoff.check(spec(signoff.same_results(examples=20), signoff.speed(at_most=10.0, budget=20)),
                           [REFERENCE], signoff.RunOptions(seed=1))
    _, checks = checks_of(result)
    assert checks["same_results"].verdict == "pass"
    assert checks["speed"].verdict != "skipped", checks["speed"].summary


def test_the_command_line_skips_them_and_keep_going_runs_them(tmp_path):
    (tmp_path / "spec.py").write_text(
        "import signoff\nfrom hypothesis import strategies as st\n\n"
        f"spec = signoff.Spec(reference={REFERENCE!r}, inputs=st.lists(st.floats(-1e6, 1e6)),\n"
        "                    workload=signoff.workload(lambda n: [1.0] * n, sizes=(100, 200)),\n"
        "                    criteria=[signoff.same_results(examples=50),\n"
        "                              signoff.speed(at_most=10.0, budget=20)])\n")
    verdicts = {}
    for name, flags in (("fast", ()), ("kept", ("--keep-going",))):
        run = subprocess.run([sys.executable, "-m", "signoff", "check", "spec.py", "-c", WRONG, "--seed", "1",
                              "-q", "--no-store", "--json", f"{name}.json", *flags],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300,
                             env={"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})
        assert run.returncode == 1, run.stdout + run.stderr
        report = json.loads((tmp_path / f"{name}.json").read_text())
        [candidate] = report["candidates"]
        assert candidate["verdict"] == "fail"
        verdicts[name] = {c["criterion"]: c for c in candidate["checks"]}
    assert verdicts["fast"]["speed"]["verdict"] == "skipped"
    assert "--keep-going" in verdicts["fast"]["speed"]["summary"]
    assert verdicts["kept"]["speed"]["verdict"] != "skipped", verdicts["kept"]["speed"]["summary"]
