"""``--backend ray``: a local Ray cluster gives the same verdicts and evidence as local workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from batch_support import canonical, write_jsonl

pytest.importorskip("ray")

ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin", "RAY_USAGE_STATS_ENABLED": "0"}


def _verdicts(report: dict[str, Any]) -> list[Any]:
    """Everything but timings and what names the work folder (replay commands, tracebacks)."""
    def check(data: dict[str, Any]) -> dict[str, Any]:
        evidence = {k: v for k, v in data["evidence"].items() if k not in ("replay", "timeout_s", "detail",
                                                                         "duration_s")}
        return {**data, "evidence": evidence}
    return [(s["task_id"], s["index"], s["verdict"], s["base_verdict"], [check(c) for c in s["checks"]])
            for s in report["samples"]]


@pytest.mark.slow
def test_a_local_ray_cluster_gives_the_same_verdicts_as_local_workers(humaneval, humaneval_path, tmp_path):
    tasks = [humaneval[f"HumanEval/{n}"] for n in range(8)]
    records: list[dict[str, Any] | str] = [canonical(task) for task in tasks]
    records += [
        {"task_id": "HumanEval/0",
         "completion": "    if len(numbers) > 10:\n        return False\n    s = sorted(numbers)\n"
                       "    return any(b - a < threshold for a, b in zip(s, s[1:]))\n"},
        {"task_id": "HumanEval/3", "completion": "    import os\n    os._exit(3)\n"},
        {"task_id": "HumanEval/5", "completion": "    numbers.append(delimeter)\n    return numbers\n"},
        {"task_id": "HumanEval/6", "solution": "def parse_nested_parens(paren_string):\n    return [\n"},
    ]
    samples = write_jsonl(tmp_path / "samples.jsonl", records)
    reports: dict[str, dict[str, Any]] = {}
    for backend in ("local", "ray"):
        path: Path = tmp_path / f"{backend}.json"
        run = subprocess.run([sys.executable, "-m", "signoff", "batch", "--tasks", str(humaneval_path),
                              "--samples", str(samples), "--limit-tasks", "8", "--jobs", "2", "--no-store",
                              "--backend", backend, "--json", str(path)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300, env=ENV)
        assert run.returncode == 1, run.stderr
        reports[backend] = json.loads(path.read_text())
    assert _verdicts(reports["ray"]) == _verdicts(reports["local"])
    summary = reports["ray"]["summary"]
    assert summary["samples"] == 12 and summary["plausible_but_wrong"]["count"] == 1
    assert summary["signoff"]["passed"] == 8


@pytest.mark.slow
def test_a_two_node_cluster_spreads_the_samples_and_keeps_each_on_one_node(humaneval, humaneval_path,
                                                                           tmp_path):
    """Two raylets on this machine: a real multi-node cluster, reached with --address."""
    from ray.cluster_utils import Cluster

    tasks = [humaneval[f"HumanEval/{n}"] for n in range(6)]
    records: list[dict[str, Any] | str] = [canonical(task) for task in tasks]
    mutating = "    numbers.append(delimeter)\n    return numbers\n"
    records.append({"task_id": "HumanEval/5", "completion": mutating})
    samples = write_jsonl(tmp_path / "samples.jsonl", records)
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        path = tmp_path / "ray.json"
        run = subprocess.run([sys.executable, "-m", "signoff", "batch", "--tasks", str(humaneval_path),
                              "--samples", str(samples), "--limit-tasks", "6", "--jobs", "2", "--no-store",
                              "--backend", "ray", "--address", cluster.address, "--json", str(path)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300, env=ENV)
    finally:
        cluster.shutdown()
    assert run.returncode == 1, run.stderr
    report = json.loads(path.read_text())
    verdicts = {(s["task_id"], s["index"]): s["verdict"] for s in report["samples"]}
    assert verdicts == {**{(t.task_id, 0): "pass" for t in tasks}, ("HumanEval/5", 1): "fail"}
    nodes = {s["node"] for s in report["samples"]}
    assert len(nodes) == 2, nodes  # both nodes judged samples; each sample names exactly one
