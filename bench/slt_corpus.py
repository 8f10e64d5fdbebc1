"""The shared sqllogictest corpus on Python's sqlite3: outcomes and time per file.

    .venv/bin/python bench/slt_corpus.py [--corpus DIR] [--engine sqlite] [--jobs 1]

Each file runs on a fresh in-memory connection (autocommit, like the C
driver's sqlite3_exec), as the given engine for skipif/onlyif. One row per
file: records (statements and queries reached; a halt ends a file), ok,
mismatch, error, skipped, broken (records that do not parse), and seconds
(wall time: parsing, running, formatting and comparing). Then the totals, the
pass rate of the records that ran, and every record that did not pass.
--jobs N runs N files at a time in worker processes (the total seconds stay
the sum per file; the wall time is printed last).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

from signoff.sql.slt_runner import FileReport, connect_sqlite, run_file

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sqllogictest"
COUNTS = ("records", "ok", "mismatch", "error", "skipped", "broken")


def run_one(path: Path, engine: str) -> FileReport:
    with closing(connect_sqlite()) as connection:
        return run_file(path, connection, engine=engine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--engine", default="sqlite", help="the name for skipif/onlyif")
    parser.add_argument("--jobs", type=int, default=1, help="files run at a time")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    files = sorted(corpus.rglob("*.test"))
    if not files:
        print(f"no .test files under {corpus}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            reports = list(pool.map(run_one, files, [args.engine] * len(files)))
    else:
        reports = [run_one(path, args.engine) for path in files]
    wall = time.perf_counter() - start

    print(f"sqllogictest corpus {corpus}: {len(files)} files, SQLite {sqlite3.sqlite_version}")
    width = max(len(str(p.relative_to(corpus))) for p in files)
    header = f"{'file':<{width}}" + "".join(f"{c:>9}" for c in COUNTS) + f"{'seconds':>9}"
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(COUNTS, 0)
    seconds = 0.0
    for path, report in zip(files, reports, strict=True):
        summary = report.summary
        row = {c: getattr(summary, c) for c in COUNTS}
        for c in COUNTS:
            totals[c] += row[c]
        seconds += summary.seconds
        name = str(path.relative_to(corpus))
        if summary.halted_at is not None:
            name += f" (halt at {summary.halted_at})"
        print(f"{name:<{width}}" + "".join(f"{row[c]:>9}" for c in COUNTS) + f"{summary.seconds:>9.2f}")
    print("-" * len(header))
    print(f"{'total':<{width}}" + "".join(f"{totals[c]:>9}" for c in COUNTS) + f"{seconds:>9.2f}")
    ran = totals["records"] - totals["skipped"]
    rate = 100.0 * totals["ok"] / ran if ran else 100.0
    print(f"\npassed {totals['ok']} of {ran} records that ran ({rate:.4f}%); wall {wall:.1f} s")
    for path, report in zip(files, reports, strict=True):
        for failure in report.failures:
            name = path.relative_to(corpus)
            print(f"  {name}:{failure.line}: {failure.status}: {failure.message}")
    return 0 if totals["ok"] == ran else 1


if __name__ == "__main__":
    sys.exit(main())
