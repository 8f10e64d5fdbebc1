"""Samples per second of ``signoff batch`` beside EvalPlus 0.3.1, on the same samples and data.

    .venv/bin/python bench/batch_evalplus.py [--jobs 2] [--limit N] [--no-ray] [--no-evalplus]
        [--data ../shared/data/evalplus/HumanEvalPlus.jsonl.gz] [--json bench-batch.json]

The samples are the canonical solutions of every HumanEval+ task (164), as
``{"task_id", "solution"}`` lines. In the same run, each judges them all, as a
user would run it (a fresh process each time):
1. ``signoff batch`` on local worker processes (``--jobs``), cold (an empty cache:
   every reference runs), then warm (the references' outcomes cached by the first run);
2. ``signoff batch --backend ray`` on a local Ray instance with ``--jobs`` CPUs, cold then warm;
3. ``evalplus.evaluate --dataset humaneval --parallel JOBS`` (``pip install evalplus==0.3.1``),
   with ``HUMANEVAL_OVERRIDE_PATH`` pointing at the same data (no network), cold (an
   empty cache folder: it computes its expected outputs first, as on first use), then
   warm (its expected outputs cached).
Samples per second are over the time from the command's start to its results file
(EvalPlus's process then waits up to 20 s more for its stall-watch thread; the
process's wall clock is shown beside), everything included: start-up, loading the
tasks, running the references or computing expected outputs. Then every sample's
verdicts side by side: base inputs, and base+plus (signoff's criteria; EvalPlus's
plus status), with every disagreement listed.
Target (issue 6): the same verdicts as EvalPlus wherever EvalPlus is right, and at
least its samples per second.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "evalplus" / "HumanEvalPlus.jsonl.gz"


def prepare(data: Path, limit: int | None, folder: Path) -> tuple[Path, Path, int]:
    """The task file both tools read (the first ``limit`` tasks) and the samples file."""
    with gzip.open(data, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    rows = rows[:limit] if limit else rows
    tasks = folder / "HumanEvalPlus.jsonl.gz"
    with gzip.open(tasks, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    samples = folder / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": row["task_id"],
                                           "solution": row["prompt"] + row["canonical_solution"]}) + "\n"
                               for row in rows))
    return tasks, samples, len(rows)


def run_signoff(tasks: Path, samples: Path, jobs: int, backend: str, folder: Path, cache: str,
                warm: bool) -> dict[str, Any]:
    name = f"signoff batch ({backend}, {'warm' if warm else 'cold'})"
    report = folder / f"signoff-{backend}-{cache}-{warm}.json"
    command = [sys.executable, "-m", "signoff", "batch", "--tasks", str(tasks), "--samples", str(samples),
               "--jobs", str(jobs), "--backend", backend, "--no-store", "--cache", str(folder / cache),
               "-q", "--json", str(report)]
    started, epoch = time.perf_counter(), time.time()
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True,
                         env=os.environ | {"RAY_USAGE_STATS_ENABLED": "0"})
    wall = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"signoff batch ({backend}) exited {run.returncode}:\n{run.stderr}")
    data = json.loads(report.read_text())
    verdicts = {(s["task_id"], s["index"]): (s["base_verdict"], s["verdict"]) for s in data["samples"]}
    return {"name": name, "wall_s": wall, "results_s": report.stat().st_mtime - epoch,
            "verdicts": verdicts}


def run_evalplus(tasks: Path, samples: Path, jobs: int, folder: Path, warm: bool) -> dict[str, Any]:
    cache = folder / "evalplus-cache"  # empty on the cold run: expected outputs are computed first
    if warm:  # its own samples file: evalplus asks before overwriting a results file
        samples = samples.with_name("samples-warm.jsonl")
        samples.write_text(samples.with_name("samples.jsonl").read_text())
    environment = os.environ | {"HUMANEVAL_OVERRIDE_PATH": str(tasks), "XDG_CACHE_HOME": str(cache),
                                "TOKENIZERS_PARALLELISM": "false", "TQDM_DISABLE": "1"}
    command = [sys.executable, "-m", "evalplus.evaluate", "--dataset", "humaneval", "--samples",
               str(samples), "--parallel", str(jobs), "--i-just-wanna-run"]
    started, epoch = time.perf_counter(), time.time()
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - started
    results = samples.with_name(samples.stem + "_eval_results.json")
    if run.returncode != 0 or not results.is_file():
        raise SystemExit(f"evalplus exited {run.returncode}:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    found = re.search(r"Expected outputs computed in ([\d.]+)s", run.stdout + run.stderr)
    ground_truth = float(found.group(1)) if found else 0.0
    data = json.loads(results.read_text())
    verdicts = {}
    for task_id, entries in data["eval"].items():
        for index, entry in enumerate(entries):
            plus = "pass" if entry["base_status"] == entry["plus_status"] == "pass" else "fail"
            verdicts[(task_id, index)] = (entry["base_status"], plus)
    # Its stall watch (a thread that sleeps 20 s at a time) keeps the process up to 20 s
    # after the results are written: "results_s" is when they are.
    return {"name": f"evalplus 0.3.1 ({'warm' if warm else 'cold'})", "wall_s": wall,
            "results_s": results.stat().st_mtime - epoch, "expected_outputs_s": ground_truth,
            "verdicts": verdicts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N tasks (for a quick look)")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-evalplus", action="store_true")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    options = parser.parse_args()
    console = Console(width=150)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as temporary:
        folder = Path(temporary)
        tasks, samples, count = prepare(options.data, options.limit, folder)
        runs = [run_signoff(tasks, samples, options.jobs, "local", folder, "cache", False),
                run_signoff(tasks, samples, options.jobs, "local", folder, "cache", True)]
        if not options.no_ray:
            runs += [run_signoff(tasks, samples, options.jobs, "ray", folder, "ray-cache", False),
                     run_signoff(tasks, samples, options.jobs, "ray", folder, "ray-cache", True)]
        if not options.no_evalplus:
            runs += [run_evalplus(tasks, samples, options.jobs, folder, False),
                     run_evalplus(tasks, samples, options.jobs, folder, True)]
    table = Table(title=f"{count} HumanEval+ canonical solutions as samples, --jobs {options.jobs}, "
                        f"{os.cpu_count()} CPUs", title_justify="left")
    for column in ("tool", "results at s", "samples/s", "process wall s", "of which expected outputs s",
                   "base pass", "base+plus pass"):
        table.add_column(column, justify="left" if column == "tool" else "right")
    for run in runs:
        verdicts = run["verdicts"].values()
        table.add_row(run["name"], f"{run['results_s']:.1f}", f"{count / run['results_s']:.2f}",
                      f"{run['wall_s']:.1f}",
                      f"{run['expected_outputs_s']:.1f}" if "expected_outputs_s" in run else "",
                      str(sum(base == "pass" for base, _ in verdicts)),
                      str(sum(full == "pass" for _, full in verdicts)))
    console.print(table)
    disagreements = []
    first = runs[0]["verdicts"]
    for run in runs[1:]:
        for key, verdict in sorted(run["verdicts"].items(), key=lambda item: _order(item[0])):
            if first.get(key) != verdict:
                disagreements.append((key, run["name"], verdict, first.get(key)))
    console.print(f"samples judged differently from signoff batch (local): {len(disagreements)}")
    for (task_id, index), name, theirs, ours in disagreements:
        console.print(f"  {task_id}#{index}: {name} base={theirs[0]} plus={theirs[1]}; "
                      f"signoff base={ours and ours[0]} signoff={ours and ours[1]}", highlight=False)
    if options.json:
        options.json.write_text(json.dumps([{k: v for k, v in run.items() if k != "verdicts"} | {
            "verdicts": {f"{t}#{i}": v for (t, i), v in run["verdicts"].items()}} for run in runs], indent=2))


def _order(key: tuple[str, int]) -> tuple[int, int]:
    return int(key[0].rsplit("/", 1)[-1]), key[1]


if __name__ == "__main__":
    main()
