"""Every run is recorded; history, compare and report read it back; a killed run keeps its checks."""

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

ROOT = Path(__file__).resolve().parents[1]
GALLERY = Path(__file__).parent / "gallery"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def signoff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "signoff", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=ENV)


@pytest.mark.slow
def test_runs_are_recorded_listed_compared_and_reported(tmp_path):
    spec = str(GALLERY / "sort_spec.py")
    first = signoff("check", spec, "--examples", "20", "-q", "-c", f"{GALLERY / 'sort_mutates.py'}:sort",
                    cwd=tmp_path)
    second = signoff("check", spec, "--examples", "20", "-q", "-c", f"{GALLERY / 'sort_mutates.py'}:sort",
                     "-c", f"{GALLERY / 'sort_heap.py'}:sort", cwd=tmp_path)
    assert (first.returncode, second.returncode) == (1, 1)
    assert (tmp_path / ".signoff" / "runs.db").is_file()

    history = json.loads(signoff("history", "--json", cwd=tmp_path).stdout)
    assert [run["verdict"] for run in history] == ["fail", "fail"]
    assert len(history[0]["candidates"]) == 2

    compared = signoff("compare", history[1]["id"], history[0]["id"], "--json", cwd=tmp_path)
    changes = {(c["candidate"].rsplit("/", 1)[-1], c["criterion"]): c
               for c in json.loads(compared.stdout)["checks"]}
    assert changes[("sort_heap.py:sort", "same_results")]["verdict"]["after"] == "pass"
    assert changes[("sort_heap.py:sort", "same_results")]["verdict"]["before"] is None
    assert changes[("sort_mutates.py:sort", "same_results")]["verdict"]["before"] == "fail"

    report = signoff("report", "latest", "--json", str(tmp_path / "again.json"), cwd=tmp_path)
    assert report.returncode == 1 and "mutation" in report.stdout
    assert json.loads((tmp_path / "again.json").read_text())["verdict"] == "fail"


def test_unknown_run_and_missing_store_are_clear_errors(tmp_path):
    missing = signoff("history", cwd=tmp_path)
    assert missing.returncode == 2 and "no results store" in missing.stderr
    signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "5", "-q",
            "-c", f"{GALLERY / 'sort_heap.py'}:sort", cwd=tmp_path)
    unknown = signoff("report", "zzzz-nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_a_run_killed_with_sigkill_leaves_a_readable_store_with_its_finished_checks(tmp_path):
    # Two candidates: the first finishes quickly, the second hangs on every input for a long time.
    (tmp_path / "ref.py").write_text("def f(x: int) -> int:\n    return x\n")
    (tmp_path / "slow.py").write_text("import time\n\ndef f(x):\n    time.sleep(30)\n    return x\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "signoff", "check", "--reference", "ref.py:f", "-c", "ref.py:f",
         "-c", "slow.py:f", "--timeout", "60", "--examples", "10", "-q"],
        cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    database = tmp_path / ".signoff" / "runs.db"
    deadline = time.monotonic() + 120
    checks = 0
    while time.monotonic() < deadline and checks == 0:
        time.sleep(0.2)
        if database.exists():
            try:
                with sqlite3.connect(database) as db:
                    checks = db.execute("select count(*) from checks").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # the schema is still being created
    assert checks == 1, "the first candidate's check never reached the store"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    [run] = json.loads(signoff("history", "--json", cwd=tmp_path).stdout)
    assert run["verdict"] == "unfinished"
    report = signoff("report", run["id"], "--json", str(tmp_path / "killed.json"), cwd=tmp_path)
    data = json.loads((tmp_path / "killed.json").read_text())
    [finished] = [c for c in data["candidates"] if c["checks"]]
    assert finished["target"] == "ref.py:f" and finished["checks"][0]["verdict"] == "pass"
    assert report.returncode == 3
    # Its one check passed, the run did not: every report of it says so.
    assert data["verdict"] == "error" and "did not finish" in data["stopped"]
    assert "did not finish" in report.stdout


def test_a_stored_run_is_reported_in_the_spec_order_though_cheap_checks_run_first(tmp_path):
    (tmp_path / "ref.py").write_text("def total(xs):\n    return sum(xs)\n")
    (tmp_path / "spec.py").write_text(
        "import signoff\nfrom hypothesis import strategies as st\n\n"
        "spec = signoff.Spec(\n    reference='ref.py:total', inputs=st.lists(st.integers()),\n"
        "    workload=signoff.workload(lambda n: list(range(n)), sizes=(1_000, 2_000)),\n"
        "    criteria=[signoff.memory(), signoff.same_results(examples=10)],\n)\n"
    )
    live = signoff("check", "spec.py", "-c", "ref.py:total", "-q", "--json", "live.json", cwd=tmp_path)
    stored = signoff("report", "latest", "--json", "stored.json", cwd=tmp_path)
    assert (live.returncode, stored.returncode) == (0, 0), live.stderr + stored.stderr

    def order(name: str) -> list[str]:
        report = json.loads((tmp_path / name).read_text())
        return [check["criterion"] for check in report["candidates"][0]["checks"]]

    assert order("live.json") == order("stored.json") == ["memory", "same_results"]
    with sqlite3.connect(tmp_path / ".signoff" / "runs.db") as db:  # and they did end the other way
        ended = [row[0] for row in db.execute("SELECT criterion FROM checks ORDER BY id")]
    assert ended == ["same_results", "memory"]

