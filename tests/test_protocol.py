"""A worker's frames and files are checked, not trusted: what no worker sends fails the candidate that sent
it ("broke signoff's protocol"), never hangs or crashes signoff (issue 14).

Real workers running the hostile targets of tests/gallery/forgers.py, which write on the reply
pipe their worker holds.
"""

from __future__ import annotations

import json
import marshal
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from signoff.outcomes import PROTOCOL_VIOLATION, Outcome
from signoff.runner.batches import run_cases
from signoff.runner.measure import Fault, Timing, time_calls
from signoff.runner.process import Limits, Worker, parse_reply
from signoff.runner.worker_main import PROTOCOL_BROKEN
from signoff.targets import parse_target

GALLERY = Path(__file__).parent / "gallery"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
CASE = pickle.dumps((([3, 1, 2],), {}))


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


def worker(name: str, file: str = "forgers.py") -> Worker:
    """A started worker for ``name`` in ``file`` (under tests/gallery, or an absolute path)."""
    started = Worker(parse_target(f"{GALLERY / file}:{name}"), Limits(timeout_s=10.0))
    assert started.start() is None
    return started


def copied_reference(folder: Path) -> Path:
    """A copy of tests/gallery/sorting.py that a test may change, as a candidate could."""
    source = folder / "reference.py"
    source.write_text((GALLERY / "sorting.py").read_text())
    return source


@pytest.mark.parametrize("name", ["garbage", "malformed_outcomes", "extra_field", "nan_time", "huge_header"])
def test_a_frame_no_worker_sends_fails_the_call_that_sent_it(name):
    forger = worker(name)
    try:
        [[first, second]] = run_cases([(forger, [CASE, CASE], 1)])
    finally:
        forger.close()
    for outcome in (first, second):
        decoded = Outcome.from_bytes(outcome[0])
        assert decoded.status == "crash" and PROTOCOL_BROKEN in decoded.describe(), decoded


def test_a_frame_more_than_the_cases_is_found_in_the_same_batch_or_before_the_next():
    forger = worker("answers_twice")
    try:
        batches = [run_cases([(forger, [CASE], 1)])[0] for _ in range(3)]
    finally:
        forger.close()
    statuses = [Outcome.from_bytes(outcome).describe() for [[outcome]] in batches]
    # The first batch takes the forged frame (the right answer, as the candidate would return);
    # its own frame, one more than the cases, fails the batch it is found in.
    assert any(PROTOCOL_BROKEN in status for status in statuses), statuses


def test_an_honest_worker_beside_the_forgers_still_answers():
    honest = Worker(parse_target(f"{GALLERY / 'sorting.py'}:sort"), Limits(timeout_s=10.0))
    assert honest.start() is None
    try:
        [[outcome]] = run_cases([(honest, [CASE], 1)])
    finally:
        honest.close()
    assert Outcome.from_bytes(outcome[0]).detail[0] == [1, 2, 3]


@pytest.mark.parametrize("name", ["garbage", "extra_field", "nan_time", "huge_header"])
def test_a_timed_batch_with_a_forged_reply_is_a_fault_not_a_hang(name):
    forger = worker(name)
    try:
        timing = time_calls(forger, CASE, 3, 10.0)
        again = time_calls(forger, CASE, 3, 10.0)  # a fresh worker, the same forger
    finally:
        forger.close()
    for result in (timing, again):
        assert isinstance(result, Fault) and result.status == "crash", result
        assert PROTOCOL_BROKEN in result.description


def test_a_well_formed_reply_sent_early_is_caught_at_the_next_batch():
    # Claiming no time before doing the work: the first batch cannot tell (the parent's clock stops
    # at the forged reply), but the worker's own reply is then left in the pipe, where the next
    # batch finds a reply in place of its "begin".
    forger = worker("tiny_time")
    try:
        first = time_calls(forger, CASE, 1, 10.0)
        second = time_calls(forger, CASE, 1, 10.0)
    finally:
        forger.close()
    assert isinstance(first, Timing)
    assert isinstance(second, Fault) and PROTOCOL_BROKEN in second.description


def test_a_target_that_writes_while_it_is_imported_does_not_load():
    forger = Worker(parse_target(f"{GALLERY / 'forger_at_import.py'}:sort"), Limits())
    failure = forger.start()
    forger.close()
    assert failure is not None and failure.detail == PROTOCOL_BROKEN


@pytest.mark.parametrize("data", [
    b"", b"\xff", marshal.dumps(None), marshal.dumps(()), marshal.dumps(("ok",)),
    marshal.dumps(("ok", 1, None)), marshal.dumps(("raise", 1, "m", None, None)),
    marshal.dumps(("timeout", "soon")), marshal.dumps(("crash",)), marshal.dumps(("nonsense", 1)),
    marshal.dumps(("ok", (b"\x00signoff:escaped\x00", 5), None, None)),  # an escape of no tuple
    marshal.dumps(("ok", nested(1500), None, None)),  # deeper than a worker goes, or decode can
], ids=lambda data: repr(data)[:40])
def test_bytes_that_are_no_outcome_decode_as_a_protocol_violation(data):
    assert Outcome.from_bytes(data) is PROTOCOL_VIOLATION


def test_outcomes_a_worker_sends_decode_as_themselves():
    ok = Outcome.from_bytes(marshal.dumps(("ok", [1, 2], ([2, 1],), {}), 2))
    assert ok.status == "ok" and ok.detail == ([1, 2],) and ok.arguments == (([2, 1],), {})
    raised = Outcome.from_bytes(marshal.dumps(("raise", "builtins.ValueError", "bad", None, None), 2))
    assert raised.describe() == "raised ValueError: bad"
    assert Outcome.from_bytes(marshal.dumps(("timeout", 1.5), 2)).describe() == "timed out after 1.5 s"


@pytest.mark.parametrize("frame", [
    marshal.dumps(("timed",)), marshal.dumps(("timed", 1)), marshal.dumps(("ready", 1)),
    marshal.dumps(("memory_peak", 1, 2)), marshal.dumps(["ready"]), b"\x00",
])
def test_replies_of_the_wrong_shape_are_refused(frame):
    assert parse_reply(frame) is None


def same_results_check(reference: Path, candidate: str, folder: Path) -> dict[str, object]:
    """``signoff check`` run as a user runs it; its one check, after asserting exit 1 (fail) and no
    traceback."""
    run = subprocess.run(
        [sys.executable, "-m", "signoff", "check", "--reference", f"{reference}:sort",
         "--candidate", f"{GALLERY / candidate}", "--no-store", "--json", str(folder / "report.json")],
        cwd=folder, capture_output=True, text=True, timeout=300, env=ENV)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    [check] = json.loads((folder / "report.json").read_text())["candidates"][0]["checks"]
    assert check["criterion"] == "same_results"
    return dict(check)


def test_check_fails_a_forging_candidate_with_the_reason_and_no_traceback(tmp_path):
    check = same_results_check(GALLERY / "sorting.py", "forgers.py:malformed_outcomes", tmp_path)
    assert check["verdict"] == "fail" and PROTOCOL_BROKEN in json.dumps(check)


def test_a_worker_is_never_restarted_on_a_file_that_changed_since_it_first_started(tmp_path):
    source = copied_reference(tmp_path)
    reference = worker("sort", str(source))
    try:
        source.write_text("def sort(xs):\n    return list(xs)\n")  # what a candidate could do
        failure = reference.restart()
    finally:
        reference.close()
    assert failure is not None and failure.kind == "changed" and str(source) in failure.detail


def test_a_worker_refused_a_restart_gives_its_reason_to_every_later_call(tmp_path):
    source = copied_reference(tmp_path)
    reference = worker("sort", str(source))
    try:
        source.write_text(source.read_text() + "# edited\n")
        assert reference.process is not None
        os.kill(reference.process.pid, signal.SIGKILL)  # its next call restarts it: refused
        [[first]] = run_cases([(reference, [CASE], 1)])
        [[second]] = run_cases([(reference, [CASE], 1)])  # not restarted: signoff once crashed here
        timing = time_calls(reference, CASE, 1, 10.0)
    finally:
        reference.close()
    assert Outcome.from_bytes(first[0]).describe() == "worker crashed with SIGKILL"
    assert "changed during the run" in Outcome.from_bytes(second[0]).describe()
    assert isinstance(timing, Fault) and "changed during the run" in timing.description


@pytest.mark.parametrize("candidate", ["touches_reference.py", "rewrites_reference.py"])
def test_a_candidate_that_edits_the_reference_fails_for_it(tmp_path, candidate):
    # touches_reference answers right and only appends a comment; rewrites_reference answers wrong,
    # rewrites the reference to agree and kills its worker to have it restarted on the new file.
    source = copied_reference(tmp_path)
    check = same_results_check(source, f"{candidate}:sort", tmp_path)
    assert check["verdict"] == "fail"
    assert check["evidence"] == {"reference_changed": str(source)}, check
