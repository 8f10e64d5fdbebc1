"""The command line as a user runs it: real processes, real exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "slugify"
GALLERY = Path(__file__).parent / "gallery"


def signoff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "signoff", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_example_spec_fails_the_flawed_candidate_and_writes_the_report(tmp_path):
    report = tmp_path / "report.json"
    run = signoff("check", str(EXAMPLE / "spec.py"), "--seed", "1", "--json", str(report),
                  "--candidate", str(EXAMPLE / "candidate_good.py") + ":slugify",
                  "--candidate", str(EXAMPLE / "candidate_flawed.py") + ":slugify")
    assert run.returncode == 1, run.stderr
    data = json.loads(report.read_text())
    assert data["schema"] == "signoff.report/1"
    assert data["verdict"] == "fail" and data["seed"] == 1
    assert data["reference"] == "reference.py:slugify"
    good, flawed = data["candidates"]
    assert good["verdict"] == "pass" and flawed["verdict"] == "fail"
    [check] = flawed["checks"]
    assert set(check) == {"criterion", "verdict", "summary", "evidence"}
    assert {"input", "reference", "candidate", "replay"} <= set(check["evidence"])
    assert "FAIL" in run.stdout and "Traceback" not in run.stderr

    replayed = signoff("replay", str(report))
    assert replayed.returncode == 1, replayed.stderr
    assert "candidate  returned" in replayed.stdout
    command = check["evidence"]["replay"].replace("signoff ", f"{sys.executable} -m signoff ", 1)
    direct = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert direct.returncode == 1 and "FAIL" in direct.stdout


def test_same_seed_gives_the_same_counterexample(tmp_path):
    inputs = []
    for name in ("a.json", "b.json"):
        signoff("check", str(EXAMPLE / "spec.py"), "--seed", "99", "--json", str(tmp_path / name),
                "-c", str(EXAMPLE / "candidate_flawed.py") + ":slugify")
        data = json.loads((tmp_path / name).read_text())
        inputs.append(data["candidates"][0]["checks"][0]["evidence"]["input"])
    assert inputs[0] == inputs[1]


def test_all_pass_exits_0():
    run = signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "30", "-q",
                  "-c", str(GALLERY / "sort_heap.py") + ":sort")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS" in run.stdout


def test_zero_config_infers_inputs_from_type_hints():
    run = signoff("check", "--reference", str(GALLERY / "sorting.py") + ":sort", "--examples", "50",
                  "-c", str(GALLERY / "sort_mutates.py") + ":sort")
    assert run.returncode == 1
    assert "mutation" in run.stdout


def test_zero_config_without_hints_says_what_is_missing_and_prints_a_spec(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x, y: int):\n    return x\n")
    run = signoff("check", "--reference", "ref.py:f", "-c", "ref.py:f", cwd=tmp_path)
    assert run.returncode == 2
    assert "no type hint for 'x'" in run.stderr
    assert "spec = signoff.Spec(" in run.stderr and "Traceback" not in run.stderr


def test_supplied_inputs_without_hints(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x):\n    return x * 2\n")
    (tmp_path / "cand.py").write_text("def f(x):\n    return x + x if x != 3 else 7\n")
    (tmp_path / "in.jsonl").write_text("".join(f'{{"args": [{i}]}}\n' for i in range(10)))
    run = signoff("check", "--reference", "ref.py:f", "-c", "cand.py:f", "--inputs", "in.jsonl",
                  cwd=tmp_path)
    assert run.returncode == 1
    assert "f(3)" in run.stdout and "returned 6" in run.stdout and "returned 7" in run.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["check", "missing.py", "-c", "x.py:f"], "spec file not found: missing.py"),
    (["check", "pyproject.toml", "-c", "x.py:f"], "a spec is a Python file"),
    (["check", "examples/slugify/spec.py"], "no candidate"),
    (["check", "examples/slugify/spec.py", "-c", "nowhere.py:f"], "file not found"),
    (["check", "examples/slugify/spec.py", "-c", "examples/slugify/candidate_good.py:nope"],
     "has no attribute 'nope'"),
    (["check", "examples/slugify/spec.py", "-c", "no_such_module_xyz:f"],
     "module not found: no_such_module_xyz"),
    (["check", "examples/slugify/spec.py", "-c", "slugify"], "is not of the form"),
    (["check", "-c", "x.py:f"], "give a spec file"),
    (["check", "--seed", "abc"], "invalid int value"),
    (["replay", "--reference", "json:dumps", "--candidate", "json:dumps", "--case", "%%%"],
     "not base64"),
    (["replay", "pyproject.toml"], "not a JSON report"),
])
def test_bad_input_exits_2_with_one_clear_line(args, message):
    run = signoff(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_json_refuses_to_overwrite_a_file_that_is_not_a_report(tmp_path):
    precious = tmp_path / "notes.json"
    precious.write_text('{"mine": true}')
    run = signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "5", "--json", str(precious),
                  "-c", str(GALLERY / "sort_heap.py") + ":sort")
    assert run.returncode == 2 and "refusing to overwrite" in run.stderr
    assert precious.read_text() == '{"mine": true}'


def test_a_relative_reference_on_the_command_line_is_taken_from_the_current_directory(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    # Through the installed console script, as a user runs it: `python -m signoff.cli` hid the bug
    # (Spec took its folder from the script in .venv/bin).
    script = Path(sys.executable).parent / "signoff"
    command = [str(script), "check", "-r", "ref.py:f", "-c", "ref.py:f", "--examples", "5", "-q",
               "--no-store"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
