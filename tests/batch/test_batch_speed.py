"""Tasks with workloads: each correct sample's speed ratio to the reference, by margins no noise explains.

The reference is linear at C speed (``sum``); the slow sample is quadratic in
Python, thousands of times slower at the timed size. Only ratios far apart
are asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from batch_support import judge, write_jsonl

import signoff
from signoff.batch.task import Task
from signoff.inputs import Call

REFERENCE = ("def total(xs: list[int]) -> int:\n    return sum(xs)\n\n"
             "def make_input(n):\n    return [list(range(n))]\n")
QUADRATIC = ("def total(xs):\n    t = 0\n    for i in range(len(xs)):\n        for j in range(i):\n"
             "            pass\n        t += xs[i]\n    return t\n")
SIZES = [100, 2000]  # at 2000 the quadratic sample takes ~2M loop steps, the reference ~10 us
TASK: dict[str, Any] = {"task_id": "Own/total", "entry_point": "total", "reference": REFERENCE,
                        "inputs": [[[1, 2, 3]], [[]]], "workload": {"make": "make_input", "sizes": SIZES}}
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def _speed(result: Any) -> Any:
    [check] = [check for check in result.checks if check.criterion == "speed"]
    return check


def test_each_correct_sample_gets_its_ratio_in_the_report_and_on_the_terminal(tmp_path):
    tasks = write_jsonl(tmp_path / "tasks.jsonl", [TASK])
    samples = write_jsonl(tmp_path / "samples.jsonl", [
        {"task_id": "Own/total", "solution": REFERENCE},
        {"task_id": "Own/total", "solution": QUADRATIC},
        {"task_id": "Own/total", "solution": "def total(xs):\n    return sum(xs[:3])\n"}])
    run = subprocess.run([sys.executable, "-m", "signoff", "batch", "--tasks", str(tasks), "--samples",
                          str(samples), "--json", "report.json", "--no-store", "--jobs", "2"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, env=ENV)
    assert run.returncode == 1, run.stderr  # the third sample is wrong on the workload's input
    report = json.loads((tmp_path / "report.json").read_text())
    fast, slow, wrong = report["samples"]
    assert fast["verdict"] == slow["verdict"] == "pass"  # no bound set: the ratio is reported only
    fast_speed, slow_speed = fast["checks"][-1], slow["checks"][-1]
    assert fast_speed["criterion"] == slow_speed["criterion"] == "speed"
    assert fast_speed["evidence"]["informational"] and fast_speed["evidence"]["at_most"] is None
    assert fast_speed["evidence"]["size"] == 2000 and fast_speed["evidence"]["pairs"] == 16
    assert fast_speed["evidence"]["ratio"] < 10 < 100 < slow_speed["evidence"]["ratio"]
    assert slow_speed["evidence"]["ci95"][0] > 10 * fast_speed["evidence"]["ci95"][1]
    assert wrong["verdict"] == "fail" and wrong["base_verdict"] == "pass"
    assert "answers differ at size 2000" in wrong["checks"][-1]["summary"]
    listed = report["summary"]["speed"]["Own/total"]
    assert [(item["index"], item["verdict"]) for item in listed] == [(0, "pass"), (1, "pass"), (2, "fail")]
    assert listed[1]["ratio"] == slow_speed["evidence"]["ratio"] and listed[2]["ratio"] is None
    assert "speed of correct samples" in run.stdout
    assert "Own/total: #0 " in run.stdout and "#2 not timed FAIL" in run.stdout


def test_with_a_bound_the_slow_sample_fails_it_and_the_fast_one_passes(tmp_path):
    task = Task("Own/bounded", "total", REFERENCE, base_inputs=(Call(([1, 2, 3],)),),
                workload=signoff.workload(lambda n: list(range(n)), sizes=SIZES),
                speed=signoff.speed(at_most=10.0, budget=30))
    records = [{"task_id": "Own/bounded", "solution": REFERENCE},
               {"task_id": "Own/bounded", "solution": QUADRATIC}]
    results = judge([task], records, tmp_path)
    fast, slow = results[("Own/bounded", 0)], results[("Own/bounded", 1)]
    assert fast.verdict == "pass" and _speed(fast).evidence["at_most"] == 10.0
    assert slow.verdict == "fail" and slow.plausible_but_wrong  # right answers, far too slow
    assert _speed(slow).verdict == "fail" and _speed(slow).evidence["ratio"] > 100
    assert "> 10x" in _speed(slow).summary


def test_a_wrong_or_crashing_sample_is_not_timed(tmp_path):
    task = Task("Own/total", "total", REFERENCE, base_inputs=(Call(([1, 2, 3],)),),
                workload=signoff.workload(lambda n: list(range(n)), sizes=SIZES))
    records = [{"task_id": "Own/total", "solution": "def total(xs):\n    return 7\n"},
               {"task_id": "Own/total", "solution": "def total(xs):\n    return sum(xs) if len(xs) < 500 "
                                                    "else total(xs)\n"}]
    results = judge([task], records, tmp_path)
    wrong, crashing = results[("Own/total", 0)], results[("Own/total", 1)]
    assert wrong.verdict == "fail" and [c.criterion for c in wrong.checks] == ["same_results"]
    assert _speed(crashing).verdict == "fail" and "size 2000" in _speed(crashing).summary


@pytest.mark.slow
def test_a_local_ray_cluster_times_samples_of_a_python_task_file(tmp_path):
    """Strategies and workloads written in a task file travel to Ray, and each sample is timed there."""
    pytest.importorskip("ray")
    (tmp_path / "tasks.py").write_text(
        "import signoff\nfrom hypothesis import strategies as st\nfrom signoff.batch import Task\n\n"
        f"TASKS = [Task('Own/total', 'total', {REFERENCE!r}, strategy=st.lists(st.integers()),\n"
        f"              examples=50, workload=signoff.workload(lambda n: list(range(n)), sizes={SIZES}))]\n")
    samples = write_jsonl(tmp_path / "samples.jsonl", [
        {"task_id": "Own/total", "solution": REFERENCE}, {"task_id": "Own/total", "solution": QUADRATIC},
        {"task_id": "Own/total", "solution": "def total(xs):\n    return sum(xs[:2])\n"}])
    reports = {}
    for backend in ("local", "ray"):
        run = subprocess.run([sys.executable, "-m", "signoff", "batch", "--tasks", "tasks.py", "--samples",
                              str(samples), "--json", f"{backend}.json", "--no-store", "--jobs", "2",
                              "--seed", "3", "--backend", backend], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300, env={**ENV, "RAY_USAGE_STATS_ENABLED": "0"})
        assert run.returncode == 1, run.stderr
        reports[backend] = json.loads((tmp_path / f"{backend}.json").read_text())
    for backend, report in reports.items():
        verdicts = [(s["verdict"], [c["criterion"] for c in s["checks"]]) for s in report["samples"]]
        assert verdicts == [("pass", ["same_results", "speed"]), ("pass", ["same_results", "speed"]),
                            ("fail", ["same_results"])], backend
        fast, slow = (report["samples"][i]["checks"][-1]["evidence"]["ratio"] for i in (0, 1))
        assert fast < 10 < 100 < slow, backend
    assert [c["summary"] for c in reports["ray"]["samples"][2]["checks"]] == [
        c["summary"] for c in reports["local"]["samples"][2]["checks"]]
