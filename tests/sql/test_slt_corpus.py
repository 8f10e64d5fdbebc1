"""Python's sqlite3 against the shared sqllogictest corpus (../shared/data/sqllogictest).

The corpus's expected results come from SQLite through its own C driver, so
the reference engine must reproduce all of them: every record that is not
skipped for "sqlite" must pass, except the ones listed in KNOWN, which no
DB-API driver can reproduce, each with the reason.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from signoff.sql.slt_runner import connect_sqlite, run_file

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sqllogictest"

KNOWN = {
    # `SELECT sum(x) FROM t1` overflows. SQLite raises "integer overflow" from
    # sqlite3_step (documented, R-08904-24719), and so does Python's sqlite3.
    # The corpus expects an empty result because the C driver (slt_sqlite.c)
    # reads rows with `while( sqlite3_step(pStmt)==SQLITE_ROW )` and never looks
    # at the error that ends the loop. Through DB-API an error while stepping
    # cannot be told from one while preparing, so the runner reports the error.
    ("evidence/slt_lang_aggfunc.test", 480): "OperationalError: integer overflow",
}


def corpus_files() -> list[Path]:
    files = sorted(CORPUS.rglob("*.test"))
    if not files:
        pytest.skip(f"the shared sqllogictest corpus is not at {CORPUS.resolve()}")
    return files


def test_a_small_corpus_file_passes() -> None:
    path = CORPUS / "evidence" / "slt_lang_update.test"
    if not path.exists():
        pytest.skip(f"the shared sqllogictest corpus is not at {CORPUS.resolve()}")
    with closing(connect_sqlite()) as connection:
        report = run_file(path, connection, strict=True)
    assert report.failures == ()
    assert report.summary.ok == report.summary.ran > 20


@pytest.mark.slow
def test_sqlite3_reproduces_the_whole_corpus() -> None:
    files = corpus_files()
    assert len(files) == 33
    start = time.perf_counter()
    totals: Counter[str] = Counter()
    unexpected: list[str] = []
    known_seen: dict[tuple[str, int], str] = {}
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        with closing(connect_sqlite()) as connection:
            report = run_file(path, connection, strict=True)  # strict: every file parses
        summary = report.summary
        totals.update(records=summary.records, ok=summary.ok, skipped=summary.skipped)
        for failure in report.failures:
            key = (name, failure.line)
            if key in KNOWN:
                known_seen[key] = failure.message
            else:
                unexpected.append(f"{name}:{failure.line}: {failure.status}: {failure.message}")
    seconds = time.perf_counter() - start
    ran = totals["records"] - totals["skipped"]
    rate = f"{totals['ok']} of {ran} records ran pass ({totals['skipped']} skipped) in {seconds:.1f} s"
    assert not unexpected, f"{rate}; unexpected:\n" + "\n".join(unexpected[:20])
    assert known_seen == KNOWN, f"a known divergence changed: {known_seen} (listed: {KNOWN})"
    assert totals["ok"] == ran - len(KNOWN), rate
    assert totals["records"] > 160_000
