"""The SQL driver and workloads, called in this process (as a worker would call them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.sql import driver, workloads

CORPUS_FILE = """\
statement ok
CREATE TABLE t(a INTEGER, b TEXT)

statement ok
INSERT INTO t VALUES (1, 'one'), (2, 'two')

query IT rowsort
SELECT a, b FROM t
----
1
one
2
two

query I nosort
SELECT count(*) FROM t
----
2

statement error
SELECT * FROM nowhere
"""


@pytest.fixture
def sqlite3_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(driver.ENGINE_VARIABLE, "sqlite3")
    monkeypatch.setenv(driver.DIRECTORY_VARIABLE, str(tmp_path))
    monkeypatch.setenv(driver.PROGRESS_VARIABLE, str(tmp_path / "progress"))
    monkeypatch.setattr(driver, "_state", driver._State())
    yield tmp_path
    driver.close_slt()
    for database in driver._state.databases.values():
        database.connection.close()


def test_info_names_the_engine_and_its_step_counter(sqlite3_driver: Path) -> None:
    name, version, counts = driver.dispatch("info")
    assert name == "sqlite3" and "SQLite" in version and counts is True


def test_records_run_in_chunks_and_resume(sqlite3_driver: Path) -> None:
    path = sqlite3_driver / "small.test"
    path.write_text(CORPUS_FILE)
    following, outcomes, halted = driver.dispatch("slt", str(path), 0, 2, 10.0)
    assert (following, halted) == (2, False)
    assert [o[1] for o in outcomes] == ["ok", "ok"]
    following, outcomes, halted = driver.dispatch("slt", str(path), 2, 99, 10.0)
    assert following == 5
    index, status, _, values, columns, raised, _ = outcomes[0]
    assert (index, status, values, columns, raised) == (2, "ok", ("1", "one", "2", "two"), 2, None)
    assert outcomes[2][1] == "ok" and "nowhere" in str(outcomes[2][5])  # an error, as expected
    assert driver.read_progress(str(sqlite3_driver / "progress")) == 4


def test_a_fresh_worker_replays_the_file_up_to_the_chunk(sqlite3_driver: Path) -> None:
    path = sqlite3_driver / "small.test"
    path.write_text(CORPUS_FILE)
    driver.dispatch("slt", str(path), 0, 99, 10.0)
    driver.close_slt()  # as if the worker had been replaced
    _, outcomes, _ = driver.dispatch("slt", str(path), 3, 4, 10.0)
    assert outcomes[0][:2] == (3, "ok")  # the table exists again


@pytest.mark.parametrize("name", list(workloads.WORKLOADS))
def test_each_workload_builds_runs_and_answers(name: str, sqlite3_driver: Path) -> None:
    size = 1000
    assert driver.dispatch("setup", name, size) == []
    driver.dispatch("work", name, size)
    assert driver.dispatch("answer", name, size)
    steps = driver.dispatch("steps", name, size)
    assert isinstance(steps, int) and steps > 0


def test_plans_show_the_rowid_path(sqlite3_driver: Path) -> None:
    driver.dispatch("setup", "pk_lookup", 100)
    assert driver.dispatch("plan", "pk_lookup") == ["SEARCH test USING INTEGER PRIMARY KEY (rowid=?)"]
    assert driver.dispatch("plan", "insert_transaction") is None


def test_scaling_tables_grow(sqlite3_driver: Path) -> None:
    for size in (1000, 1414, 2000):
        driver.dispatch("setup", "pk_lookup_scaling", size)
        rows = driver._state.databases["pk_scaling"].query("SELECT count(*), max(id) FROM test")
        assert rows == [(size, size)]
    answer = driver.dispatch("answer", "pk_lookup_scaling", 2000)
    assert len(answer) == workloads.LOOKUPS and all(len(rows) == 1 for rows in answer)


def test_unknown_operation_is_an_error(sqlite3_driver: Path) -> None:
    with pytest.raises(ValueError, match="unknown driver operation"):
        driver.dispatch("drop_everything")
