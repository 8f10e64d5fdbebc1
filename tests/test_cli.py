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
    (["check", "--seed", "abc"], "--seed: must be a whole number, not 'abc'"),
    (["check", "-c", "x.py:f", "--seed", str(2**63)], "--seed: must be from 0 to 4294967295"),
    (["check", "-c", "x.py:f", "--timeout", "inf"], "--timeout: must be a finite number of seconds > 0"),
    (["check", "-c", "x.py:f", "--budget", "0"], "--budget: must be a finite number of seconds > 0"),
    (["check", "-c", "x.py:f", "--timeout", "1e308"], "--timeout: must be at most 604800 seconds (a week)"),
    (["check", "-c", "x.py:f", "--examples", "-1"], "--examples: must be at least 0"),
    (["sql", "--corpus-budget", "-1"], "--corpus-budget: must be a finite number of seconds > 0"),
    (["sql", "--queries", "many"], "--queries: must be a whole number"),
    (["sql", "-c", "sqlite3", "--corpus", "pyproject.toml"],
     "--corpus pyproject.toml: not a sqllogictest file"),
    (["batch", "--tasks", "t", "--samples", "s", "--limit-tasks", "0"], "--limit-tasks: must be at least 1"),
    (["history", "--limit", "-1"], "--limit: must be at least 1, not -1"),
    (["no-such-command"], "invalid choice: 'no-such-command'"),
    (["sql", "-c", "sqlite3", "--no-corpus", "--queries", "0", "--invariant", "none"], "nothing to check"),
    (["check", "examples/slugify/spec.py", "-c", "x.py:f", "--json", "README.md/report.json"],
     "--json README.md/report.json: README.md is a file, not a folder"),
    (["report", "latest", "--html", "pyproject.toml/r.html", "--store", "pyproject.toml"],
     "pyproject.toml is a file"),
    (["replay", "--reference", "json:dumps", "--candidate", "json:dumps", "--case", "%%%"],
     "not base64"),
    (["replay", "pyproject.toml"], "not a JSON report"),
])
def test_bad_input_exits_2_with_one_clear_line(args, message):
    run = signoff(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_json_refuses_to_overwrite_a_file_that_is_not_a_report(tmp_path):
    precious = tmp_path / "notes.json"
    precious.write_text('{"mine": true}')
    run = signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "5", "--json", str(precious),
                  "-c", str(GALLERY / "sort_heap.py") + ":sort")
    assert run.returncode == 2 and "refusing to overwrite" in run.stderr
    assert precious.read_text() == '{"mine": true}'
    report = tmp_path / "r.json"
    written = signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "5", "--json", str(report),
                      "-c", str(GALLERY / "sort_heap.py") + ":sort", "--no-store")
    assert written.returncode == 0 and report.stat().st_mode & 0o777 == 0o644  # readable by all


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


def test_user_text_is_printed_as_typed_never_as_markup_or_emoji(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    folder = tmp_path / "data[old]"
    folder.mkdir()
    (folder / "cand :smile:.py").write_text("def f(x):\n    return x + 1\n")
    missing = signoff("check", "--reference", "ref.py:f", "-c", "cand[/v2].py:f", "--no-store", cwd=tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr, missing.stderr
    assert "cand[/v2].py" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    wrong = signoff("check", "--reference", "ref.py:f", "-c", "data[old]/cand :smile:.py:f", "--no-store",
                    "--examples", "20", "--seed", "1", cwd=tmp_path)
    assert wrong.returncode == 1, wrong.stderr
    assert "data[old]/cand :smile:.py:f" in wrong.stdout  # in the table and the failure panel's title
    assert wrong.stdout.count("cand :smile:.py") >= 2 and "😄" not in wrong.stdout


def test_version_and_python_m_signoff():
    run = signoff("--version")
    assert run.returncode == 0 and run.stdout.startswith("signoff ") and run.stdout.strip() != "signoff"


def test_broken_code_is_named_by_file_line_and_text_and_a_misspelt_name_gets_a_suggestion(tmp_path):
    (tmp_path / "ref.py").write_text("def slugify(x: int) -> int:\n    return x\n")
    (tmp_path / "cand.py").write_text("import os\n\ndef slugify(x)\n    return x\n")
    (tmp_path / "bad_ref.py").write_text("def slugify(x: int) -> int\n    return x\n")
    broken = signoff("check", "--reference", "ref.py:slugify", "-c", "cand.py:slugify", "--no-store",
                     "--examples", "5", cwd=tmp_path)
    assert broken.returncode == 1, broken.stderr
    assert "SyntaxError: expected ':' (cand.py line 3: def slugify(x))" in broken.stdout
    misspelt = signoff("check", "--reference", "ref.py:slugify", "-c", "ref.py:slugfy", "--no-store",
                       cwd=tmp_path)
    assert misspelt.returncode == 2 and "did you mean 'slugify'?" in misspelt.stderr, misspelt.stderr
    reference = signoff("check", "--reference", "bad_ref.py:slugify", "-c", "cand.py:slugify", "--no-store",
                        cwd=tmp_path)
    assert reference.returncode == 2 and "Traceback" not in reference.stderr, reference.stderr
    assert "SyntaxError: expected ':' (bad_ref.py line 1: def slugify(x: int) -> int)" in reference.stderr


def test_junit_records_how_long_each_check_took(tmp_path):
    import xml.etree.ElementTree as ET

    run = signoff("check", str(EXAMPLE / "spec.py"), "--seed", "1", "--no-store",
                  "--junit", str(tmp_path / "r.xml"),
                  "--candidate", str(EXAMPLE / "candidate_good.py") + ":slugify")
    assert run.returncode == 0, run.stderr
    [case] = ET.parse(tmp_path / "r.xml").getroot().iter("testcase")
    assert float(case.get("time", "0")) > 0.0


def test_replay_refuses_what_is_not_a_case_or_not_a_whole_report(tmp_path):
    import base64
    import pickle

    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    for case, message in [(b"hello", "--case is not a pickled input"),
                          (pickle.dumps(5), "--case is a pickled int, not an input")]:
        run = signoff("replay", "--reference", "ref.py:f", "--candidate", "ref.py:f",
                      "--case", base64.b64encode(case).decode(), cwd=tmp_path)
        assert run.returncode == 2 and message in run.stderr, run.stdout + run.stderr
    report = {"schema": "signoff.report/1", "verdict": "fail", "seed": 1, "reference": "ref.py:f",
              "candidates": [{"target": "ref.py:f", "checks": [{"criterion": "same_results"}]}]}
    for name, data in [("partial.json", report),
                       ("odd.json", {**report, "candidates": [{"target": "ref.py:f", "checks": [
                           {"criterion": "same_results", "verdict": "fail", "summary": "",
                            "evidence": {"replay": "rm -rf /"}}]}]})]:
        (tmp_path / name).write_text(json.dumps(data))
        run = signoff("replay", name, cwd=tmp_path)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert name in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_inputs_that_are_not_utf8_are_one_line_naming_the_line_and_the_run_is_an_error(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    (tmp_path / "in.jsonl").write_bytes(b'{"args": [1]}\n{"args": ["caf\xe9"]}\n')
    run = signoff("check", "--reference", "ref.py:f", "-c", "ref.py:f", "--inputs", "in.jsonl", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "in.jsonl:2: not JSONL text: byte 15 of the line is not UTF-8" in run.stderr
    [recorded] = json.loads(signoff("history", "--json", cwd=tmp_path).stdout)
    assert recorded["verdict"] == "error"


def test_a_crash_of_signoffs_own_is_exit_3_with_its_traceback_never_exit_1():
    code = ("import signoff.cli.check as check\n"
            "def broken(*args):\n    raise KeyError('a bug')\n"
            "check.handle_check = broken\n"
            "from signoff.cli.main import main\n"
            "raise SystemExit(main(['check', '--reference', 'a:b', '-c', 'c:d']))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 3, run.stderr
    assert "Traceback" in run.stderr and "signoff: internal error: KeyError: 'a bug'" in run.stderr


def test_the_starter_spec_runs_as_printed_and_says_what_to_edit(tmp_path):
    (tmp_path / "nohint.py").write_text("def g(a, b):\n    return a + b\n")
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    first = signoff("check", "--reference", "nohint.py:g", "-c", "nohint.py:g", "--no-store", cwd=tmp_path)
    assert first.returncode == 2
    starter = first.stderr[first.stderr.index("import signoff"):]
    (tmp_path / "spec.py").write_text(starter)
    second = signoff("check", "spec.py", "-c", "nohint.py:g", "--no-store", cwd=tmp_path)
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    assert "spec.py:6: signoff.args() argument 0 is nothing(), which draws no value" in second.stderr
    (tmp_path / "spec.py").write_text(starter.replace("st.nothing()", "st.integers()"))
    third = signoff("check", "spec.py", "-c", "nohint.py:g", "--no-store", "--examples", "20", cwd=tmp_path)
    assert third.returncode == 0, third.stdout + third.stderr
    none = signoff("check", "--reference", "ref.py:f", "-c", "ref.py:f", "--examples", "0", "--no-store",
                   cwd=tmp_path)
    assert none.returncode == 3 and "examples=0 (--examples 0) generates none" in none.stdout
    hurried = signoff("check", "--reference", "ref.py:f", "-c", "ref.py:f", "--budget", "0.001", "--no-store",
                      cwd=tmp_path)
    assert hurried.returncode == 3 and "budget of 0.001 s ran out after 0 supplied" in hurried.stdout


def test_piped_output_never_splits_a_replay_command_or_a_run_id(tmp_path):
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}  # no COLUMNS: as in a CI log
    run = subprocess.run([sys.executable, "-m", "signoff", "check", str(EXAMPLE / "spec.py"), "--seed", "1",
                          "--candidate", str(EXAMPLE / "candidate_flawed.py") + ":slugify",
                          "--json", "r.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 1, run.stderr
    [replay] = [line for line in run.stdout.splitlines() if line.startswith("replay: ")]
    [check] = json.loads((tmp_path / "r.json").read_text())["candidates"][0]["checks"]
    assert replay.rstrip() == "replay: " + check["evidence"]["replay"]  # the whole command, on one line
    [recorded] = [line for line in run.stdout.splitlines() if line.startswith("recorded as run ")]
    assert recorded.split()[3] == json.loads(signoff("history", "--json", cwd=tmp_path).stdout)[0]["id"]


HOSTILE_SPEC = '''import signoff
from hypothesis import strategies as st

def make(n):
    {make}

spec = signoff.Spec(reference="ref.py:f", inputs={inputs}, workload=signoff.workload(make, sizes=[10, 100]),
                    criteria=[{criteria}])
'''


@pytest.mark.parametrize(("make", "inputs", "criteria", "message"), [
    ("raise RuntimeError('boom in make')", "st.integers()", "signoff.speed()",
     "the workload's make(100) raised RuntimeError: boom in make"),
    ("return (x for x in range(n))", "st.integers()", "signoff.speed()",
     "what the workload's make(100) returned is f(<generator object"),
    ("return n", "st.integers().map(lambda n: (lambda: n))", "signoff.same_results(examples=10)",
     "an input the strategy drew is f(<function"),
])
def test_a_spec_whose_own_code_breaks_mid_run_is_one_line_exit_2(tmp_path, make, inputs, criteria, message):
    (tmp_path / "ref.py").write_text("def f(x):\n    return x\n")
    (tmp_path / "spec.py").write_text(HOSTILE_SPEC.format(make=make, inputs=inputs, criteria=criteria))
    run = signoff("check", "spec.py", "-c", "ref.py:f", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    [recorded] = json.loads(signoff("history", "--json", cwd=tmp_path).stdout)
    assert recorded["verdict"] == "error"


def test_exit_in_a_spec_and_unwritable_report_paths_are_one_line_errors(tmp_path):
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    (tmp_path / "exits.py").write_text("raise SystemExit(3)\n")
    (tmp_path / "adir").mkdir()
    for args, message in [
        (["check", "exits.py", "-c", "ref.py:f"], "exits.py:1: the spec raised SystemExit: 3"),
        (["check", "--reference", "ref.py:f", "-c", "ref.py:f", "--junit", "adir/x/../"], "is a folder"),
    ]:
        run = signoff(*args, "--no-store", cwd=tmp_path)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
