"""False positives of the generated checks: an engine against sqlite3 on many seeds.

    .venv/bin/python bench/sql_generated_aa.py [--candidate sqlite3] [--seeds 11,12,13] [--examples 1500]

For each seed, the ``generated`` check (differential scripts) and the
``metamorphic`` check (TLP and NoREC) with ``examples`` scripts and instances
and a budget large enough to run them all. With sqlite3 as the candidate
every line must pass: a failure there is a false positive of signoff's own.
Prints one line per seed and check: seconds, verdict, summary; and for a
failure, the smallest script.
"""

from __future__ import annotations

import argparse
import sys
import time

from signoff.sql.differential import check_generated
from signoff.sql.engines import resolve_engine
from signoff.sql.metamorphic import check_metamorphic
from signoff.sql.workers import SqlWorker, WorkerPool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidate", default="sqlite3")
    parser.add_argument("--seeds", default="11,12,13")
    parser.add_argument("--examples", type=int, default=1500)
    args = parser.parse_args(argv)
    failures = 0
    with WorkerPool() as pool:
        reference = pool.start("sqlite3", "reference")
        candidate = pool.start(resolve_engine(args.candidate), "candidate")
        if not isinstance(reference, SqlWorker) or not isinstance(candidate, SqlWorker):
            raise SystemExit("an engine did not start")
        for seed in (int(text) for text in args.seeds.split(",")):
            for check in (check_generated, check_metamorphic):
                began = time.perf_counter()
                result = check(reference, candidate, seed=seed, examples=args.examples,
                               budget_s=args.examples / 5)
                seconds = time.perf_counter() - began
                print(f"{args.candidate} seed {seed} {result.criterion:<12} {seconds:5.1f} s "
                      f"{result.verdict:<5} {result.summary}", flush=True)
                if result.verdict == "fail":
                    failures += 1
                    examples = result.evidence.get("examples") or {"": result.evidence.get("example")}
                    for kind, example in examples.items():
                        print(f"    {kind}: {' '.join(str(example['sql']).split())}")
    return 1 if failures and args.candidate == "sqlite3" else 0


if __name__ == "__main__":
    sys.exit(main())
