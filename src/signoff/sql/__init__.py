"""The SQL engine suite: an engine checked against SQLite.

- ``slt_parser``: sqllogictest ``.test`` files as records;
- ``slt_format``: query results rendered as SQLite's sqllogictest driver renders them;
- ``slt_runner``: records run on a DB-API 2.0 connection, one at a time, with outcomes;
- ``slt_compare``: two engines compared record by record on their formatted results;
- ``engines``: named engines (sqlite3, turso, libsql, duckdb, apsw) and ``module:factory``;
- ``worker``, ``driver``, ``workloads``: what runs inside an engine's worker process;
- ``workers``: those workers as signoff's process sees them;
- ``corpus``: a corpus run on every engine at once, differences classified;
- ``invariants``, ``growth``: the performance invariants, each a check;
- ``suite``, ``command``: ``signoff sql`` as a library call and as a command.
"""
