"""The results store and the environment record, on real SQLite files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from signoff.environment import capture_environment
from signoff.errors import SignoffError
from signoff.recorder import RunRecorder
from signoff.store import (
    SCHEMA_VERSION,
    CheckChange,
    RunSummary,
    Store,
    StoredRun,
    StoreError,
    changes_to_json,
)
from signoff.verdict import CandidateResult, CheckResult, RunResult, Verdict

REPO = Path(__file__).resolve().parents[1]


def _begin(store: Store, candidates: tuple[str, ...] = ("a.py:f", "b.py:f"), **kw: Any) -> str:
    fields: dict[str, Any] = {
        "spec": "spec.py",
        "reference": "ref.py:f",
        "candidates": candidates,
        "seed": 42,
        "command": "signoff check spec.py",
        "environment": {"python": {"version": "3.x"}},
    }
    fields.update(kw)
    return store.begin_run(**fields)


def _speed(verdict: Verdict, ratio: float) -> CheckResult:
    return CheckResult("speed", verdict, f"{ratio}x", {"ratio": ratio, "ci95": [ratio, ratio]})


def _scaling(verdict: Verdict, growth: str) -> CheckResult:
    evidence = {"reference_class": "O(n)", "candidate_class": growth, "sizes": [1, 2]}
    return CheckResult("scaling", verdict, growth, evidence)


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / ".signoff" / "runs.db") as opened:
        yield opened


# -- round trip --------------------------------------------------------------------------------


def test_round_trip_of_a_run_with_several_candidates(tmp_path: Path) -> None:
    path = tmp_path / ".signoff" / "runs.db"
    same = CheckResult("same_results", "pass", "200 inputs agree", {"inputs": 200})
    wrong = CheckResult(
        "same_results",
        "fail",
        "differs on 'a b'",
        {"input": "'a b'", "reference": "a-b", "candidate": "a_b", "replay": "signoff replay x"},
    )
    expected = RunResult(
        reference="ref.py:f",
        seed=7,
        spec="spec.py",
        duration_s=12.5,
        candidates=(
            CandidateResult("good.py:f", (same, _speed("pass", 1.05), _scaling("pass", "O(n)"))),
            CandidateResult("bad.py:f", (wrong, _speed("fail", 20171.0))),
        ),
    )
    environment = capture_environment(tmp_path)
    with Store(path) as store:
        run_id = _begin(
            store,
            ("good.py:f", "bad.py:f"),
            seed=7,
            command="signoff check spec.py --seed 7",
            environment=environment,
        )
        for candidate in expected.candidates:
            for check in candidate.checks:
                store.record_check(run_id, candidate.target, check)
        store.finish_run(run_id, expected.verdict, 12.5)
    assert path.is_file()

    with Store(path) as store:  # a fresh connection reads what the first one wrote
        stored = store.load_run(run_id)
    assert isinstance(stored, StoredRun) and isinstance(stored, RunSummary)
    assert stored.id == run_id
    assert stored.verdict == "fail" == stored.result.verdict
    assert stored.candidates == ("good.py:f", "bad.py:f")
    assert (stored.seed, stored.spec, stored.reference) == (7, "spec.py", "ref.py:f")
    assert stored.command == "signoff check spec.py --seed 7"
    assert stored.duration_s == 12.5
    assert dict(stored.environment) == json.loads(json.dumps(environment))
    # The run read back carries the machine it was measured on, so `signoff report` shows it.
    assert stored.result.to_json() == {**expected.to_json(), "environment": stored.environment}
    assert stored.to_json()["verdict"] == "fail"


def test_evidence_json_cannot_hold_is_kept_as_numbers_lists_or_repr(store: Store) -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    run_id = _begin(store, ("a.py:f",))
    evidence = {
        "ratio": np.float32(1.5),
        "pairs": np.int64(30),
        "ci95": (1.25, 1.75),
        "sizes": np.array([1, 2, 4]),
        "input": Opaque(),
        "nan": float("nan"),
    }
    store.record_check(run_id, "a.py:f", CheckResult("speed", "pass", "ok", evidence))
    store.record_check(run_id, "a.py:f", CheckResult("odd", "error", "x", {"k": {(1, 2): 3}}))
    checks = store.load_run(run_id).result.candidates[0].checks
    stored = checks[0].evidence
    assert stored["ratio"] == 1.5 and stored["pairs"] == 30
    assert stored["ci95"] == [1.25, 1.75] and stored["sizes"] == [1, 2, 4]
    assert stored["input"] == "<opaque>"
    assert stored["nan"] != stored["nan"]
    assert "(1, 2)" in checks[1].evidence["repr"]


def test_writes_to_an_unknown_run_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no run"):
        store.record_check("nope", "a.py:f", _speed("pass", 1.0))
    with pytest.raises(StoreError, match="no run"):
        store.finish_run("nope", "pass", 1.0)


# -- listing and lookup ------------------------------------------------------------------------


def test_list_runs_newest_first_with_unfinished_marked(store: Store) -> None:
    ids = []
    for n in range(4):
        ids.append(_begin(store, seed=n))
        time.sleep(0.002)
    store.finish_run(ids[0], "pass", 1.0)
    store.finish_run(ids[2], "fail", 3.0)
    runs = store.list_runs()
    assert [run.id for run in runs] == ids[::-1]
    assert [run.verdict for run in runs] == ["unfinished", "fail", "unfinished", "pass"]
    assert [run.duration_s for run in runs] == [None, 3.0, None, 1.0]
    assert runs[0].started_at > runs[-1].started_at
    assert runs[0].candidates == ("a.py:f", "b.py:f") and runs[0].spec == "spec.py"
    assert [run.id for run in store.list_runs(limit=2)] == ids[:1:-1]
    assert len(store.list_runs(limit=None)) == 4
    assert store.list_runs(limit=0) == []


def test_run_ids_are_short_sortable_and_unique(store: Store) -> None:
    ids = [_begin(store) for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(run_id) == 20 and run_id == run_id.lower() for run_id in ids)
    stamps = [run_id[:15] for run_id in ids]  # YYYYmmdd-HHMMSS, then a random suffix
    assert stamps == sorted(stamps)
    assert all(stamp[8] == "-" and stamp.replace("-", "").isdigit() for stamp in stamps)


def test_lookup_by_id_prefix_suffix_and_latest(store: Store) -> None:
    first = _begin(store, seed=1)
    time.sleep(0.002)
    second = _begin(store, seed=2)
    assert store.load_run(first).seed == 1
    assert store.load_run(first[:-1]).seed == 1
    assert store.load_run(second.upper()).seed == 2
    assert store.load_run(second[-4:]).seed == 2  # the random suffix alone
    assert store.load_run("latest").id == second
    assert store.load_run("last").id == second
    assert store.resolve(f"  {first}  ") == first


def test_lookup_errors_say_which(store: Store) -> None:
    with pytest.raises(StoreError, match="no runs recorded"):
        store.load_run("latest")
    first, second = _begin(store), _begin(store)
    with pytest.raises(StoreError, match="ambiguous") as ambiguous:
        store.load_run(first[:4])
    assert first in str(ambiguous.value) and second in str(ambiguous.value)
    with pytest.raises(StoreError, match="no run matches 'zzzz-nope'"):
        store.load_run("zzzz-nope")
    with pytest.raises(StoreError, match="empty"):
        store.load_run("")


# -- compare -----------------------------------------------------------------------------------


def test_compare_shows_changed_verdicts_ratios_and_classes(store: Store) -> None:
    before = _begin(store, ("c.py:f", "gone.py:f"))
    store.record_check(before, "c.py:f", CheckResult("same_results", "pass", "ok"))
    store.record_check(before, "c.py:f", _speed("pass", 1.1))
    store.record_check(before, "c.py:f", _scaling("pass", "O(n)"))
    store.record_check(before, "gone.py:f", _speed("pass", 0.9))
    store.finish_run(before, "pass", 1.0)
    after = _begin(store, ("c.py:f",))
    store.record_check(after, "c.py:f", CheckResult("same_results", "pass", "ok"))
    store.record_check(after, "c.py:f", _speed("fail", 3.4))
    store.record_check(after, "c.py:f", _scaling("fail", "O(n^2)"))
    store.record_check(after, "c.py:f", CheckResult("memory", "pass", "ok", {"ratio": 1}))

    changes = store.compare(before, after[:-1])
    by_key = {(c.candidate, c.criterion): c for c in changes}
    assert list(by_key) == [
        ("c.py:f", "same_results"),
        ("c.py:f", "speed"),
        ("c.py:f", "scaling"),
        ("c.py:f", "memory"),
        ("gone.py:f", "speed"),
    ]
    assert not by_key["c.py:f", "same_results"].changed
    assert by_key["c.py:f", "speed"] == CheckChange("c.py:f", "speed", "pass", "fail", 1.1, 3.4)
    scaling = by_key["c.py:f", "scaling"]
    assert (scaling.class_before, scaling.class_after) == ("O(n)", "O(n^2)")
    assert (scaling.verdict_before, scaling.verdict_after) == ("pass", "fail")
    memory = by_key["c.py:f", "memory"]
    assert (memory.verdict_before, memory.verdict_after, memory.ratio_after) == (None, "pass", 1.0)
    gone = by_key["gone.py:f", "speed"]
    assert (gone.verdict_after, gone.ratio_before, gone.ratio_after) == (None, 0.9, None)

    rendered = changes_to_json(changes)
    assert json.loads(json.dumps(rendered)) == rendered
    assert rendered[1] == {
        "candidate": "c.py:f",
        "criterion": "speed",
        "changed": True,
        "verdict": {"before": "pass", "after": "fail"},
        "ratio": {"before": 1.1, "after": 3.4},
        "candidate_class": {"before": None, "after": None},
    }


def test_checks_recorded_as_they_end_read_back_in_report_order(store: Store) -> None:
    run_id = _begin(store)
    recorder = RunRecorder(store, run_id, report_order=("speed", "scaling", "speed"))
    recorder.record("a.py:f", _scaling("pass", "O(n)"))  # the cheap one ends first
    recorder.record("a.py:f", _speed("pass", 1.0))
    recorder.record("a.py:f", _speed("fail", 3.0))
    recorder.record("b.py:f", _speed("pass", 1.1))
    checks = {c.target: c.checks for c in store.load_run(run_id).result.candidates}
    assert [(c.criterion, c.verdict) for c in checks["a.py:f"]] == [
        ("speed", "pass"), ("scaling", "pass"), ("speed", "fail")]
    assert [c.criterion for c in checks["b.py:f"]] == ["speed"]


def test_a_store_of_schema_1_is_upgraded_in_place_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with Store(path) as store:
        old_run = _begin(store)
        store.record_check(old_run, "a.py:f", _scaling("pass", "O(n)"))
        store.record_check(old_run, "a.py:f", _speed("pass", 1.0))
    db = sqlite3.connect(path)  # what signoff wrote before checks had a position
    db.executescript("ALTER TABLE checks DROP COLUMN position; PRAGMA user_version = 1;")
    db.close()
    with Store(path) as store:
        old = store.load_run(old_run).result.candidates[0].checks
        assert [c.criterion for c in old] == ["scaling", "speed"]  # as recorded
        new_run = _begin(store)
        store.record_check(new_run, "a.py:f", _scaling("pass", "O(n)"), position=1)
        store.record_check(new_run, "a.py:f", _speed("pass", 1.0), position=0)
        new = store.load_run(new_run).result.candidates[0].checks
        assert [c.criterion for c in new] == ["speed", "scaling"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


# -- files that are not a store ----------------------------------------------------------------


def test_a_store_from_a_newer_signoff_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with Store(path) as store:
        _begin(store)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer signoff") as error:
        Store(path)
    assert isinstance(error.value, SignoffError)


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a signoff results store"):
        Store(path)
    assert path.read_text().startswith("these are my notes")


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a signoff results store"):
        Store(path)


def test_an_unusable_path_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        Store(tmp_path)  # a directory


# -- several processes, and a process killed mid-run ------------------------------------------


@contextmanager
def _children(
    tmp_path: Path, *argvs: list[str]
) -> Iterator[list[tuple[subprocess.Popen[str], Path]]]:
    """Python children running ``python -c ARGV...``, each with its stderr in a file;
    any still running at the end are killed and reaped."""
    kids = []
    try:
        for n, argv in enumerate(argvs):
            err = tmp_path / f"child{n}.err"
            with err.open("w") as sink:
                command = [sys.executable, "-c", *argv]
                kids.append(
                    (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=sink, text=True), err)
                )
        yield kids
    finally:
        for child, _ in kids:
            if child.poll() is None:
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from signoff.store import Store
    from signoff.verdict import CheckResult

    path, go, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    with Store(path) as store:
        run_id = store.begin_run(spec=None, reference="ref:f", candidates=[name], seed=0,
                                 command=name, environment={})
        for i in range(count):
            check = CheckResult(f"check{i}", "pass", name, {"i": i, "pad": "x" * 500})
            store.record_check(run_id, name, check)
            time.sleep(0.002)  # a check takes a while: keeps the writers' spans overlapping
        store.finish_run(run_id, "pass", 0.5)
    print(run_id)
    """
)


def test_processes_writing_at_once_all_land(tmp_path: Path) -> None:
    path, go = tmp_path / ".signoff" / "runs.db", tmp_path / "go"
    names = [f"writer{n}.py:f" for n in range(3)]
    with _children(
        tmp_path, *[[_WRITER, str(path), str(go), name, "50"] for name in names]
    ) as kids:
        for child, _ in kids:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        go.touch()  # all of them open the (not yet created) store and write at the same time
        outputs = [child.communicate(timeout=120)[0] for child, _ in kids]
        for child, err in kids:
            assert child.returncode == 0, err.read_text()
    with Store(path) as store:
        runs = store.list_runs()
        assert sorted(run.id for run in runs) == sorted(out.strip() for out in outputs)
        for run in runs:
            stored = store.load_run(run.id)
            assert stored.verdict == "pass"
            [candidate] = stored.result.candidates
            assert candidate.target == stored.command
            assert [check.evidence["i"] for check in candidate.checks] == list(range(50))
            assert {check.summary for check in candidate.checks} == {candidate.target}
    assert _integrity(path) == "ok"
    db = sqlite3.connect(path)
    spans = db.execute("SELECT min(recorded_at), max(recorded_at) FROM checks GROUP BY run_id")
    starts, ends = zip(*spans.fetchall(), strict=True)
    db.close()
    assert max(starts) < min(ends)  # the writers really did write at the same time


_KILLED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from signoff.store import Store
    from signoff.verdict import CheckResult

    store = Store(Path(sys.argv[1]))
    run_id = store.begin_run(spec="spec.py", reference="ref:f", candidates=["c:f"], seed=1,
                             command="doomed", environment={})
    print(run_id, flush=True)
    i = 0
    while True:  # never finishes: the parent kills it
        store.record_check(run_id, "c:f", CheckResult(f"check{i}", "pass", "ok", {"i": i}))
        print(i, flush=True)  # reported only once the check is committed
        i += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_mid_way_keeps_every_finished_check(tmp_path: Path) -> None:
    path = tmp_path / ".signoff" / "runs.db"
    with _children(tmp_path, [_KILLED, str(path)]) as [(child, err)]:
        assert child.stdout is not None
        run_id = child.stdout.readline().strip()
        assert run_id, err.read_text()
        reported = [int(child.stdout.readline()) for _ in range(25)]
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        reported += [int(line) for line in child.stdout.read().split()]
    assert reported == list(range(len(reported)))

    with Store(path) as store:
        [summary] = store.list_runs()
        assert (summary.id, summary.verdict, summary.duration_s) == (run_id, "unfinished", None)
        stored = store.load_run("latest")
        [candidate] = stored.result.candidates
        recorded = [check.evidence["i"] for check in candidate.checks]
        # every reported check is there; at most the one in flight at the kill is extra
        assert recorded[: len(reported)] == reported
        assert len(recorded) - len(reported) <= 1
        assert _integrity(path) == "ok"
        store.record_check(run_id, "c:f", _speed("pass", 1.0))  # the store is writable again
        store.finish_run(run_id, "pass", 9.0)
        assert store.load_run(run_id[:-1]).verdict == "pass"


# -- environment -------------------------------------------------------------------------------


def test_environment_describes_python_machine_and_packages(tmp_path: Path) -> None:
    env = capture_environment(tmp_path)
    assert json.loads(json.dumps(env)) == env
    assert env["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert env["python"]["implementation"]
    assert env["platform"]["system"]
    assert env["cpu"]["count"] >= 1
    assert {"signoff", "numpy", "hypothesis"} <= set(env["packages"])
    assert "git" not in capture_environment(tmp_path / "does-not-exist")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_environment_records_the_git_commit_and_dirty_flag(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    assert "git" not in capture_environment(tmp_path)  # a repository without commits
    (tmp_path / "f.txt").write_text("one\n")
    git("add", "f.txt")
    git("commit", "-q", "-m", "one")
    head = git("rev-parse", "HEAD")
    assert capture_environment(tmp_path)["git"] == {"commit": head, "dirty": False}
    (tmp_path / "f.txt").write_text("two\n")
    assert capture_environment(tmp_path)["git"] == {"commit": head, "dirty": True}


def test_a_run_stored_as_an_error_reads_back_as_one_though_its_checks_passed(store: Store) -> None:
    run_id = _begin(store, ("a.py:f",))
    store.record_check(run_id, "a.py:f", CheckResult("same_results", "pass", "same outcomes"))
    store.finish_run(run_id, "error", 1.0)  # bad input found later in the run
    result = store.load_run(run_id).result
    assert result.verdict == "error" and result.stopped is not None and "error" in result.stopped
    assert result.to_json()["verdict"] == "error"
    assert RunResult.from_json(result.to_json()).verdict == "error"
