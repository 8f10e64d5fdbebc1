"""Named SQL engines and module:factory engines: resolving names, opening connections."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from signoff.errors import SpecError, TargetError
from signoff.sql import engines
from signoff.sql.engines import NAMED, open_connection, resolve_engine

FLAWED = Path(__file__).resolve().with_name("flawed_sql_engines.py")


def installed(name: str) -> bool:
    return importlib.util.find_spec(NAMED[name].module) is not None


def test_sqlite3_is_always_available() -> None:
    assert resolve_engine("sqlite3") == "sqlite3"


def test_an_unknown_name_says_what_is_known() -> None:
    with pytest.raises(SpecError, match="unknown SQL engine 'postgres'.*turso.*module:factory"):
        resolve_engine("postgres")


def test_a_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = engines.NamedEngine("turso", "no_such_module_for_signoff", "pyturso", "test")
    monkeypatch.setitem(engines.NAMED, "turso", missing)
    with pytest.raises(SpecError, match=r"pip install 'signoff\[sql\]'.*pyturso"):
        resolve_engine("turso")


def test_a_factory_file_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FLAWED.parent)
    assert resolve_engine("flawed_sql_engines.py:scanning") == f"{FLAWED}:scanning"
    with pytest.raises(TargetError):
        resolve_engine("no/such/file.py:connect")


def test_a_factory_is_called_with_the_path(tmp_path: Path) -> None:
    connection = open_connection(f"{FLAWED}:scanning", str(tmp_path / "x.db"))
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE test(id INTEGER PRIMARY KEY, v)")
    cursor.execute("EXPLAIN QUERY PLAN SELECT * FROM test WHERE id = ?", (1,))
    assert "SCAN" in str(cursor.fetchall())
    connection.close()


@pytest.mark.parametrize("name", list(NAMED))
def test_each_installed_engine_opens_runs_and_describes(name: str, tmp_path: Path) -> None:
    if not installed(name):
        pytest.skip(f"{NAMED[name].package} is not installed")
    connection = open_connection(name, str(tmp_path / "x.db"))
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE t(a INTEGER, b TEXT)")
    cursor.execute("INSERT INTO t VALUES (?, ?)", (1, "one"))
    cursor.execute("SELECT a, b FROM t WHERE a = ?", (1,))
    assert [tuple(row) for row in cursor.fetchall()] == [(1, "one")]
    cursor.execute("SELECT a, b FROM t WHERE a = ?", (2,))
    description = cursor.description
    assert description is not None and len(description) == 2  # a query without rows is still described
    assert list(cursor.fetchall()) == []
    cursor.execute("BEGIN")
    cursor.execute("INSERT INTO t VALUES (2, 'two')")
    cursor.execute("COMMIT")
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchall()[0][0] == 2
    assert engines.engine_version(name)
    connection.close()


def test_apsw_is_adapted_to_the_db_api_shape(tmp_path: Path) -> None:
    if not installed("apsw"):
        pytest.skip("apsw is not installed")
    connection = open_connection("apsw", ":memory:")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE t(a)")
    assert cursor.description is None
    cursor.execute("SELECT a FROM t")
    assert cursor.description is not None and cursor.description[0][0] == "a"
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0

    connection.set_progress_handler(count, 1)  # type: ignore[attr-defined]
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchall() == [(0,)] and counted[0] > 0
