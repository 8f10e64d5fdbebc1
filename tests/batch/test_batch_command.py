"""``signoff batch`` as a user runs it: real processes, exit codes, the report, --resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_support import canonical, write_jsonl

from signoff.store import Store

ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def batch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "signoff", "batch", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=ENV)


def test_all_samples_pass_exits_0_and_writes_the_report(humaneval, humaneval_path, tmp_path):
    tasks = [humaneval[f"HumanEval/{n}"] for n in range(3)]
    samples = write_jsonl(tmp_path / "samples.jsonl", [canonical(task) for task in tasks])
    run = batch("--tasks", str(humaneval_path), "--samples", str(samples), "--limit-tasks", "3",
                "--json", "report.json", "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema"] == "signoff.batch/1"
    assert report["summary"]["signoff"] == {"passed": 3, "pass@1": 1.0}
    assert [(s["task_id"], s["index"], s["verdict"]) for s in report["samples"]] == [
        ("HumanEval/0", 0, "pass"), ("HumanEval/1", 0, "pass"), ("HumanEval/2", 0, "pass")]
    assert {"task_id", "index", "verdict", "checks"} <= set(report["samples"][0])
    assert "pass@1" in run.stdout and (tmp_path / ".signoff" / "runs.db").is_file()


def test_a_failing_sample_exits_1_and_is_listed(humaneval, humaneval_path, tmp_path):
    task = humaneval["HumanEval/0"]
    samples = write_jsonl(tmp_path / "samples.jsonl", [
        canonical(task),
        {"task_id": task.task_id, "completion": "    if len(numbers) > 10:\n        return False\n"
                                                + task.reference.split('"""\n', 2)[-1]},
        "not json"])
    run = batch("--tasks", str(humaneval_path), "--samples", str(samples), "--limit-tasks", "1",
                "--no-store", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "plausible but wrong" in run.stdout and "HumanEval/0#1" in run.stdout
    assert "line 3: not JSON" in run.stdout and not (tmp_path / ".signoff").exists()


@pytest.mark.slow
def test_bad_input_exits_2_with_one_line(humaneval_path, tmp_path):
    good = write_jsonl(tmp_path / "samples.jsonl", [{"task_id": "HumanEval/0", "solution": "x"}])
    text = tmp_path / "text.txt"
    text.write_text("hello\nworld\n")
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": 1, "question": "?"}])
    (tmp_path / "notes.txt").write_text("my notes\n")
    own = write_jsonl(tmp_path / "own.jsonl", [{"task_id": "Own/1", "entry_point": "f", "inputs": [[1]],
                                                "reference": "def f(x):\n    return x\n", "generate": True}])
    (tmp_path / "tasks.py").write_text("TASKS = [\n    1 / 0,\n]\n")
    for args, message in [
        (("--tasks", "missing.jsonl.gz", "--samples", str(good)), "file not found"),
        (("--tasks", str(humaneval_path), "--samples", "missing.jsonl"), "file not found"),
        (("--tasks", str(humaneval_path), "--samples", str(text)), "not JSONL"),
        (("--tasks", str(other), "--samples", str(good)), "unknown task format"),
        (("--tasks", str(own), "--samples", str(good)), "own.jsonl:1: \"generate\": cannot infer inputs"),
        (("--tasks", "tasks.py", "--samples", str(good)), "tasks.py:2: the file raised ZeroDivisionError"),
        (("--tasks", str(humaneval_path), "--samples", str(good), "--jobs", "0"), "--jobs"),
        (("--tasks", str(humaneval_path), "--samples", str(good), "--json", "notes.txt"), "refusing"),
    ]:
        run = batch(*args, "--no-store", cwd=tmp_path)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1 and message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr


def _finished(db: Path) -> dict[tuple[str, int], str]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as connection:
        try:
            rows = connection.execute("SELECT task_id, idx, recorded_at FROM samples").fetchall()
        except sqlite3.OperationalError:
            return {}
    return {(task_id, index): recorded for task_id, index, recorded in rows}


@pytest.mark.slow
def test_a_batch_killed_halfway_resumes_without_redoing_finished_samples(humaneval, humaneval_path, tmp_path):
    tasks = [humaneval[f"HumanEval/{n}"] for n in range(24)]
    samples = write_jsonl(tmp_path / "samples.jsonl", [canonical(task) for task in tasks])
    args = ["--tasks", str(humaneval_path), "--samples", str(samples), "--limit-tasks", "24",
            "--jobs", "1", "-q"]
    db = tmp_path / ".signoff" / "batch.db"
    process = subprocess.Popen([sys.executable, "-m", "signoff", "batch", *args], cwd=tmp_path, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_finished(db)) < 4 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _finished(db)
    assert 4 <= len(before) < 24, "the batch was not killed halfway"

    run = batch(*args, "--resume", "--json", "report.json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["samples"]) == 24 and report["summary"]["signoff"]["passed"] == 24
    assert report["summary"]["judged_now"] == 24 - len(before)
    after = _finished(db)
    assert all(after[key] == recorded for key, recorded in before.items())  # not judged again
    with Store(tmp_path / ".signoff" / "runs.db") as store:
        stored = store.load_run(report["run"]).result
    assert stored.verdict == "pass"
    checks = {candidate.target: len(candidate.checks) for candidate in stored.candidates}
    assert all(checks[f"{task_id}#{index}"] == 2 for task_id, index in before)
    assert len(checks) == 24


@pytest.mark.slow
def test_a_batch_is_a_run_like_any_other_html_junit_history_compare_report(humaneval, humaneval_path,
                                                                           tmp_path):
    task = humaneval["HumanEval/0"]
    wrong = {"task_id": task.task_id, "completion": "    return False\n"}
    first = write_jsonl(tmp_path / "first.jsonl", [canonical(task), wrong])
    second = write_jsonl(tmp_path / "second.jsonl", [canonical(task), canonical(task)])
    run = batch("--tasks", str(humaneval_path), "--samples", str(first), "--limit-tasks", "1", "--seed", "4",
                "--html", "batch.html", "--junit", "batch.xml", "--json", "first.json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    html = (tmp_path / "batch.html").read_text()
    assert "HumanEval/0#1" in html and "HumanEval/0#0" in html
    junit = (tmp_path / "batch.xml").read_text()
    assert 'name="HumanEval/0#1' in junit and "<failure" in junit
    run = batch("--tasks", str(humaneval_path), "--samples", str(second), "--limit-tasks", "1", "--seed", "4",
                "--json", "second.json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    before, after = (json.loads((tmp_path / f"{name}.json").read_text())["run"]
                     for name in ("first", "second"))

    def signoff(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "signoff", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env=ENV)

    history = json.loads(signoff("history", "--json").stdout)
    assert [(entry["id"], entry["verdict"]) for entry in history[:2]] == [(after, "pass"), (before, "fail")]
    assert history[1]["candidates"] == ["HumanEval/0#0", "HumanEval/0#1"]
    with Store(tmp_path / ".signoff" / "runs.db") as store:
        assert store.load_run(before).command.startswith("signoff batch --tasks")
    fixed_run = signoff("compare", before, after, "--json")
    assert fixed_run.returncode == 0, fixed_run.stderr  # it got better: nothing regressed
    changes = json.loads(fixed_run.stdout)["checks"]
    fixed = [c for c in changes if c["candidate"] == "HumanEval/0#1" and c["criterion"] == "same_results"]
    assert [c["verdict"] for c in fixed] == [{"before": "fail", "after": "pass"}], changes
    regressed = signoff("compare", "latest", "latest~1")  # from the passing run back to the failing one
    assert regressed.returncode == 1 and "HumanEval/0#1" in regressed.stdout, regressed.stderr
    assert signoff("compare", "latest~2", "latest").returncode == 2  # only two runs recorded
    shown = signoff("report", before, "--junit", "again.xml")
    assert shown.returncode == 1 and "HumanEval/0#1" in shown.stdout, shown.stderr
    assert "<failure" in (tmp_path / "again.xml").read_text()


def test_a_batch_with_no_sample_to_judge_is_an_error_everywhere(humaneval, humaneval_path, tmp_path):
    elsewhere = write_jsonl(tmp_path / "samples.jsonl", [canonical(humaneval["HumanEval/1"])])
    run = batch("--tasks", str(humaneval_path), "--samples", str(elsewhere), "--limit-tasks", "1",
                "--junit", "batch.xml", "--json", "batch.json", cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    shown = subprocess.run([sys.executable, "-m", "signoff", "report", "latest", "--json", "again.json"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120, env=ENV)
    assert shown.returncode == 3, shown.stderr
    assert json.loads((tmp_path / "again.json").read_text())["verdict"] == "error"


def test_unjudged_lines_a_broken_reference_and_a_cache_file_are_never_a_silent_pass(
        humaneval, humaneval_path, tmp_path):
    task = humaneval["HumanEval/0"]
    samples = write_jsonl(tmp_path / "samples.jsonl", [canonical(task), "not json"])
    run = batch("--tasks", str(humaneval_path), "--samples", str(samples), "--limit-tasks", "2",
                "--junit", "r.xml", cwd=tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr  # the sample passed; line 2 was not judged
    assert "not judged: 1 line(s)" in run.stdout and "line 2: not JSON" in run.stdout
    assert "1 task(s) without a sample: HumanEval/1" in run.stdout
    assert 'name="samples"' in (tmp_path / "r.xml").read_text()

    own = write_jsonl(tmp_path / "own.jsonl", [{"task_id": "Own/1", "entry_point": "f", "inputs": [[1]],
                                                "reference": "def f(x)\n    return x\n"}])
    broken = batch("--tasks", str(own), "--samples", str(samples), "--no-store", cwd=tmp_path)
    assert broken.returncode == 2, broken.stdout + broken.stderr
    assert "own.jsonl:1" in broken.stderr
    assert "not valid Python: expected ':' (line 1: def f(x))" in broken.stderr
    unimportable = write_jsonl(tmp_path / "unimportable.jsonl", [
        {"task_id": "Own/2", "entry_point": "f", "inputs": [[1]],
         "reference": "import no_such_module_xyz\n\ndef f(x):\n    return x\n"}])
    own_sample = write_jsonl(tmp_path / "own_samples.jsonl", [
        {"task_id": "Own/2", "solution": "def f(x):\n    return x\n"}])
    stopped = batch("--tasks", str(unimportable), "--samples", str(own_sample), "--no-store", cwd=tmp_path)
    assert stopped.returncode == 2 and "Traceback" not in stopped.stderr, stopped.stdout + stopped.stderr
    assert ("task Own/2: its reference failed to import: ModuleNotFoundError: No module named "
            "'no_such_module_xyz'") in stopped.stderr

    (tmp_path / "cache.txt").write_text("mine\n")
    cache = batch("--tasks", str(humaneval_path), "--samples", str(samples), "--cache", "cache.txt",
                  cwd=tmp_path)
    assert cache.returncode == 2 and "--cache cache.txt: is a file" in cache.stderr, cache.stderr
    assert (tmp_path / "cache.txt").read_text() == "mine\n"
