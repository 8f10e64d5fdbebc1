"""The SQL engine suite: an engine checked against SQLite.

- ``slt_parser``: sqllogictest ``.test`` files as records;
- ``slt_format``: query results rendered as SQLite's sqllogictest driver renders them;
- ``slt_runner``: records run on a DB-API 2.0 connection, one at a time, with outcomes;
- ``slt_compare``: two engines compared record by record on their formatted results.
"""
