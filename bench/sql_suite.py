"""``signoff sql`` on real engines: each invariant's ratio and growth class, and the run's wall time.

    .venv/bin/python bench/sql_suite.py [--engines turso,libsql,duckdb,apsw] [--seed 1]
                                        [--json bench-sql.json]

For each engine, one run as ``signoff sql --candidate ENGINE`` does it, but
on a 17-file sample of SQLite's own corpus (``DEFAULT_SAMPLE`` of
``../shared/data/sqllogictest``) instead of signoff's small default corpus:
the corpus, the generated and metamorphic checks, then
every invariant with its default threshold and budget) against sqlite3, timed
from outside. Prints one column per engine: for the corpus and the generated
scripts, the records (scripts) that differ by class; for the metamorphic
check, the TLP/NoREC instances the candidate violates; for a ratio
invariant, the ratio and the verdict; for a scaling invariant, the fitted
class, the time ratio at the largest size reached, and the verdict. Then the
wall time of each run (the issue's goal: under 3 minutes on this 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from signoff.sql.invariants import INVARIANTS
from signoff.sql.suite import DEFAULT_SAMPLE, SqlOptions, run_sql
from signoff.verdict import CheckResult, RunResult

# SQLite's sqllogictest corpus, beside the repository (not shipped with signoff).
SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sqllogictest"

SHORT = {"pass": "pass", "fail": "FAIL", "inconclusive": "inconcl.", "error": "ERROR"}
CLASSES = {"wrong_result": "wrong", "wrong_error": "wrong-err", "unsupported": "unsupp", "crash": "crash",
           "hang": "hang", "not_run": "not-run"}


def cell(check: CheckResult | None) -> str:
    if check is None:
        return "-"
    evidence, verdict = check.evidence, SHORT[check.verdict]
    if check.criterion in ("corpus", "generated"):
        classes = evidence.get("classes", {})
        if not classes:
            return f"{evidence.get('agree', 0):,} agree {verdict}"
        return " ".join(f"{n:,} {CLASSES[k]}" for k, n in classes.items()) + f" {verdict}"
    if check.criterion == "metamorphic":
        violated = sum(evidence.get("violations", {}).values())
        return f"{violated}/{sum(evidence.get('applicable', {}).values())} violated {verdict}"
    if "candidate_class" in evidence:
        ratio = evidence.get("ratio_at_largest")
        largest = evidence.get("largest_size", 0)
        shown = str(evidence["candidate_class"]).replace("ambiguous", "ambig.")
        if ratio is not None:
            shown += f" {ratio:.3g}x@{largest // 1000}k"
        return f"{shown} {verdict}"
    if "ratio" in evidence:
        return f"{evidence['ratio']:.3g}x {verdict}"
    return verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engines", default="turso,libsql,duckdb,apsw")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every run's report here")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    runs: dict[str, RunResult] = {}
    walls: dict[str, float] = {}
    for engine in engines:
        print(f"running the default signoff sql on {engine} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        runs[engine] = run_sql(SqlOptions(candidates=[engine], seed=args.seed, corpus=[SHARED_CORPUS],
                                          sample=DEFAULT_SAMPLE))
        walls[engine] = time.perf_counter() - started
    print(f"signoff sql against sqlite3 (SQLite {sqlite3.sqlite_version}); {os.cpu_count()} CPUs; "
          f"seed {args.seed}")
    width = 26
    header = f"{'check':<22}" + "".join(f"{engine:>{width}}" for engine in engines)
    print(header)
    print("-" * len(header))
    checks: dict[str, dict[str, CheckResult]] = {
        engine: {c.criterion: c for c in run.candidates[0].checks} for engine, run in runs.items()}
    for name in ("corpus", "generated", "metamorphic", *INVARIANTS):
        print(f"{name:<22}" + "".join(f"{cell(checks[e].get(name)):>{width}}" for e in engines))
    print("-" * len(header))
    verdicts = "".join(f"{SHORT[runs[e].verdict]:>{width}}" for e in engines)
    print(f"{'verdict':<22}" + verdicts)
    print(f"{'wall seconds':<22}" + "".join(f"{walls[e]:>{width}.1f}" for e in engines))
    for name in ("corpus", "generated", "metamorphic"):
        seconds = {e: float(checks[e][name].evidence.get("seconds", 0.0))
                   for e in engines if name in checks[e]}
        if seconds:
            cells = "".join(f"{seconds.get(e, 0.0):>{width}.1f}" for e in engines)
            print(f"{'  of which ' + name:<22}" + cells)
    if args.json:
        report: dict[str, Any] = {e: {"wall_s": walls[e], "run": runs[e].to_json()} for e in engines}
        args.json.write_text(json.dumps(report, indent=1, default=repr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
