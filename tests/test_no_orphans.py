"""No worker outlives signoff: each front-end killed mid-run leaves no process behind.

Real runs of the command line, killed the way a CI job's timeout, a user's Ctrl-C or
``kill`` does, while a candidate spins in a call and has started a child of its own. The
worker's watchdog (``runner.worker_main.watch_lifeline``) must take the worker and the
candidate's child down with it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GALLERY = Path(__file__).parent / "gallery"
HUMANEVAL = ROOT.parent / "shared" / "data" / "evalplus" / "HumanEvalPlus.jsonl.gz"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
SPINNER = "sleep\x00600"  # the command line of the candidate's child, as /proc shows it


def _processes() -> dict[int, tuple[int, str, str]]:
    """Every live process: pid -> (parent pid, state, command line with NULs)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        found[int(entry)] = (int(ppid), state, cmdline)
    return found


def _descendants(root: int) -> dict[int, str]:
    """The live (not zombie) descendants of ``root``: pid -> command line."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _state, _cmd) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = {}, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        if table[pid][1] != "Z":
            found[pid] = table[pid][2]
        stack.extend(children.get(pid, []))
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def _kill_mid_run(args: list[str], cwd: Path, marker: str, how: signal.Signals) -> None:
    """Start ``signoff *args``, wait until a descendant's command line has ``marker``, send
    ``how``, and check that every descendant seen is gone soon after."""
    errors = cwd / "stderr.txt"
    with errors.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "signoff", *args], cwd=cwd, env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    seen: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 180
        while not any(marker in cmd for cmd in seen.values()):
            assert process.poll() is None, errors.read_text()
            assert time.monotonic() < deadline, f"no process running {marker!r} under signoff: {seen}"
            time.sleep(0.05)
            seen = _descendants(process.pid)
        time.sleep(0.3)  # the run is under way: a worker in a call, the candidate's child started
        seen.update(_descendants(process.pid))
        os.kill(process.pid, how)
        process.wait(timeout=60)
        # The watchdogs see the end of their lifelines and kill their groups at once; a loaded
        # machine may take a moment to schedule them.
        deadline = time.monotonic() + 20
        while _alive(set(seen)) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = {pid: seen[pid].replace("\x00", " ") for pid in _alive(set(seen))}
        assert not left, f"still running after signoff got {how.name}: {left}"
    finally:  # nothing of a failed test left running: what it saw, what is still below signoff
        if process.poll() is None:
            process.kill()
        for pid in _alive(set(seen) | set(_descendants(process.pid))):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_check_killed_mid_call_leaves_no_worker_and_no_child_of_the_candidate(tmp_path, how):
    args = ["check", "--reference", f"{GALLERY / 'sorting.py'}:sort",
            "--candidate", f"{GALLERY / 'sort_spawns_and_spins.py'}:sort",
            "--timeout", "600", "--no-store", "-q"]
    _kill_mid_run(args, tmp_path, SPINNER, how)


@pytest.mark.slow
def test_batch_killed_mid_sample_leaves_no_worker_and_no_child_of_the_sample(tmp_path):
    if not HUMANEVAL.is_file():
        pytest.skip(f"EvalPlus data not found at {HUMANEVAL}")
    solution = ("import subprocess\n\ndef has_close_elements(numbers, threshold):\n"
                "    subprocess.Popen(['sleep', '600'])\n    while True:\n        pass\n")
    samples = tmp_path / "samples.jsonl"
    samples.write_text(json.dumps({"task_id": "HumanEval/0", "solution": solution}) + "\n")
    args = ["batch", "--tasks", str(HUMANEVAL), "--samples", str(samples), "--limit-tasks", "1",
            "--timeout", "600", "-q"]
    _kill_mid_run(args, tmp_path, SPINNER, signal.SIGKILL)


@pytest.mark.slow
def test_sql_killed_mid_call_leaves_no_worker_and_no_child_of_the_engine(tmp_path):
    args = ["sql", "--candidate", f"{GALLERY / 'spinning_engine.py'}:spinning", "--no-store", "-q"]
    _kill_mid_run(args, tmp_path, SPINNER, signal.SIGKILL)
