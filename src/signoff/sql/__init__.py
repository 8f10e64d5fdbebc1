"""The SQL engine suite: an engine checked against SQLite (``signoff sql``).

    from signoff.sql import SqlOptions, run_sql
    result = run_sql(SqlOptions(candidates=["turso"], corpus=[Path("my.test")]))  # a RunResult

- ``slt_parser``: sqllogictest ``.test`` files as records;
- ``slt_format``: query results rendered as SQLite's sqllogictest driver renders them;
- ``slt_runner``: records run on a DB-API 2.0 connection, one at a time, with outcomes;
- ``slt_compare``: two engines compared record by record on their formatted results;
- ``engines``: named engines (sqlite3, turso, libsql, duckdb, apsw) and ``module:factory``;
- ``worker``, ``driver``, ``workloads``: what runs inside an engine's worker process;
- ``workers``: those workers as signoff's process sees them;
- ``corpus``: a corpus run on every engine at once, differences classified;
- ``differential``, ``generate``, ``metamorphic``, ``minimize``: generated scripts and the TLP/NoREC
  oracles, each failure shrunk to its smallest script; ``scripts``: what those share (drawing
  within the budget, running on both engines, comparing statement by statement);
- ``invariants``, ``growth``: the performance invariants, each a check; ``judge``: what every
  invariant needs (both workers, preparing, timing);
- ``views``: how the reports show these checks;
- ``suite``: ``run_sql``, the whole suite as a library call (``signoff.cli.sql`` is the command).

The public names are loaded on first use: an engine's worker process imports
this package on its way to ``driver`` and must not pay for the suite (numpy,
Hypothesis) it never runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signoff.sql.suite import DEFAULT_SAMPLE, SqlOptions, run_sql

__all__ = ["DEFAULT_SAMPLE", "SqlOptions", "run_sql"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from signoff.sql import suite

        return getattr(suite, name)
    raise AttributeError(f"module 'signoff.sql' has no attribute {name!r}")
