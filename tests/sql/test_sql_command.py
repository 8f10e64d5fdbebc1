"""``signoff sql`` as the CLI wires it: arguments, exit status, the table, the JSON report."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from signoff.cli.sql import add_sql_parser, options_from
from signoff.errors import SignoffError, SpecError
from signoff.store import Store

FLAWED = Path(__file__).resolve().with_name("flawed_sql_engines.py")
FLAWED_QUERIES = FLAWED.with_name("flawed_query_engines.py")
CORPUS = """\
statement ok
CREATE TABLE t(a INTEGER)

statement ok
INSERT INTO t VALUES (1), (2)

query I rowsort
SELECT a FROM t
----
1
2
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="signoff")
    add_sql_parser(parser.add_subparsers(required=True))
    return parser.parse_args(["sql", *argv])


def run(*argv: str) -> tuple[int, str]:
    arguments = parse(*argv)
    out = io.StringIO()
    console = Console(file=out, width=200, no_color=True)
    errors = Console(file=io.StringIO(), width=200, no_color=True)
    status = arguments.handler(arguments, console, errors)
    return status, out.getvalue()


def test_list_shows_every_invariant_with_its_threshold() -> None:
    status, text = run("--list")
    assert status == 0
    assert "pk_lookup_scaling" in text and "reference" in text and "1.2x" in text


def test_malformed_arguments_are_usage_errors() -> None:
    with pytest.raises(SpecError, match="NAME=VALUE"):
        options_from(parse("--candidate", "sqlite3", "--threshold", "pk_lookup"))
    with pytest.raises(SpecError, match="not both"):
        options_from(parse("--candidate", "sqlite3", "--no-corpus", "--corpus", "x.test"))
    with pytest.raises(SpecError, match="no candidate"):
        run("--no-corpus")
    assert options_from(parse("--candidate", "x:y", "--invariant", "none")).invariants == []


def test_sqlite3_against_itself_exits_0_with_a_report_and_a_stored_run(tmp_path: Path) -> None:
    (tmp_path / "t.test").write_text(CORPUS)
    report, store = tmp_path / "report.json", tmp_path / "runs.db"
    status, text = run("--candidate", "sqlite3", "--corpus", str(tmp_path), "--invariant", "none",
                       "--queries", "100", "--json", str(report), "--seed", "5", "--store", str(store))
    assert status == 0, text
    assert "corpus" in text and "PASS" in text and "recorded as run" in text
    data = json.loads(report.read_text())
    assert data["schema"] == "signoff.report/1" and data["seed"] == 5 and data["verdict"] == "pass"
    assert data["candidates"][0]["target"] == "sqlite3"
    criteria = [check["criterion"] for check in data["candidates"][0]["checks"]]
    assert criteria == ["corpus", "generated", "metamorphic"]
    with Store(store) as runs:
        [stored] = runs.list_runs()
        assert stored.verdict == "pass" and stored.reference == "sqlite3"
        again = runs.load_run(stored.id).result
    assert [c.criterion for c in again.candidates[0].checks] == criteria


def test_a_bad_command_line_records_nothing(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    with pytest.raises(SpecError, match="unknown invariant"):
        run("--candidate", "sqlite3", "--invariant", "nope", "--store", str(store))
    with pytest.raises(SpecError, match="unknown SQL engine"):
        run("--candidate", "nosuch", "--store", str(store))
    with pytest.raises(SpecError, match="no such file or folder"):
        run("--candidate", "sqlite3", "--corpus", str(tmp_path / "absent"), "--store", str(store))
    assert not store.exists()


def test_a_candidate_that_cannot_load_is_recorded_as_an_error_not_left_unfinished(tmp_path: Path) -> None:
    store = tmp_path / "runs.db"
    with pytest.raises(SignoffError):
        run("--candidate", "no_such_module_here:connect", "--no-corpus", "--store", str(store))
    with Store(store) as runs:
        [stored] = runs.list_runs()
    assert stored.verdict == "error"


@pytest.mark.slow
def test_a_where_bug_shows_the_smallest_tlp_or_norec_script(tmp_path: Path) -> None:
    status, text = run("--candidate", f"{FLAWED_QUERIES}:truncating", "--no-corpus", "--invariant", "none",
                       "--queries", "200", "--seed", "2", "--no-store")
    assert status == 1, text
    assert "metamorphic" in text and "the smallest script that shows it" in text
    assert "the reference keeps it" in text


def test_a_scanning_engine_exits_1_and_shows_both_plans(tmp_path: Path) -> None:
    status, text = run("--candidate", f"{FLAWED}:scanning", "--no-corpus", "--invariant", "pk_lookup",
                       "--budget", "8", "--seed", "1", "--queries", "0", "--no-store")
    assert status == 1, text
    assert "pk_lookup" in text and "FAIL" in text
    assert "SEARCH test USING INTEGER PRIMARY KEY" in text and "SCAN test" in text


def test_the_default_corpus_ships_with_signoff_and_runs_anywhere(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "signoff", "sql", "-c", "sqlite3", "--queries", "0",
                           "--invariant", "none", "--no-store", "--json", str(report), "--junit", "r.xml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    corpus, *skipped = json.loads(report.read_text())["candidates"][0]["checks"]
    assert corpus["criterion"] == "corpus" and corpus["evidence"]["records"] == 63
    # What did not run is said in every report, with why: the table, the JSON, JUnit.
    assert [(c["criterion"], c["verdict"]) for c in skipped] == [("generated", "skipped"),
                                                                  ("metamorphic", "skipped")]
    assert done.stdout.count("SKIPPED") == 2 and "no generated queries (--queries 0)" in done.stdout
    assert (tmp_path / "r.xml").read_text().count('<skipped message="no generated queries') == 2


def test_a_corpus_that_is_not_utf8_says_where_and_why_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.test").write_bytes(b"query I nosort\nSELECT \xe9\n----\n1\n")
    done = subprocess.run([sys.executable, "-m", "signoff", "sql", "-c", "sqlite3", "--corpus", "bad.test",
                           "--queries", "0", "--invariant", "none", "--no-store"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    assert "no corpus record was run: 1 record(s) do not parse (first: bad.test:2: not UTF-8" in done.stdout
