"""The ``signoff`` command line. The only module, with the reporters, that writes to the terminal."""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import os
import random
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from signoff.checking import RunOptions, check, replay
from signoff.cli.batch import add_batch_parser
from signoff.cli.sql import add_sql_parser
from signoff.errors import SignoffError, SpecError
from signoff.infer import infer_inputs
from signoff.recorder import RunRecorder, guarded
from signoff.report.files import write_reports
from signoff.report.json_report import read_report
from signoff.report.progress import progress_bars
from signoff.report.terminal import STYLES, print_run, verdict_text
from signoff.spec import LoadedSpec, SameResults, Spec, load_spec
from signoff.store import DEFAULT_STORE, Store, changes_to_json
from signoff.verdict import EXIT_CODES

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    console = Console(stderr=False, no_color=bool(os.environ.get("NO_COLOR")) or None)
    errors = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")) or None)
    try:
        return int(options.handler(options, console, errors))
    except SignoffError as error:
        errors.print(f"[bold red]signoff: error:[/] {error}", highlight=False, markup=True,
                     soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("signoff: interrupted")
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signoff",
        description="Decide, with evidence, whether a candidate may replace a trusted reference.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("check", help="judge candidates against a spec or a reference")
    run.add_argument("spec", nargs="?", type=Path, help="spec file defining `spec = signoff.Spec(...)`")
    run.add_argument("--candidate", "-c", action="append", default=[], metavar="TARGET",
                     help="pkg.mod:func or path/to/file.py:func (repeatable)")
    run.add_argument("--reference", "-r", metavar="TARGET",
                     help="without a spec: the reference; inputs come from its type hints")
    run.add_argument("--inputs", action="append", default=[], type=Path, metavar="FILE.jsonl",
                     help='supplied inputs, one {"args": [...], "kwargs": {...}} per line')
    run.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    run.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report here")
    run.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML here (for CI)")
    run.add_argument("--seed", type=int, help="seed for generated inputs (repeatable runs)")
    run.add_argument("--examples", type=int, metavar="N",
                     help="generated inputs per candidate (overrides the spec)")
    run.add_argument("--timeout", type=float, metavar="SECONDS", help="per-call time limit")
    run.add_argument("--budget", type=float, metavar="SECONDS",
                     help="time budget of each criterion (overrides the spec)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress, table only")
    run.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH",
                     help=f"results database (default {DEFAULT_STORE})")
    run.add_argument("--no-store", action="store_true", help="do not record this run")
    run.set_defaults(handler=_check)

    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.add_argument("--limit", type=int, default=20)
    history.add_argument("--json", action="store_true", help="print JSON instead of a table")
    history.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    history.set_defaults(handler=_history)

    differ = commands.add_parser("compare", help="what changed between two recorded runs")
    differ.add_argument("before", help="run id, unique prefix, or 'latest'")
    differ.add_argument("after", help="run id, unique prefix, or 'latest'")
    differ.add_argument("--json", action="store_true", help="print JSON instead of a table")
    differ.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    differ.set_defaults(handler=_compare)

    again_report = commands.add_parser("report", help="show a recorded run again")
    again_report.add_argument("run", help="run id, unique prefix, or 'latest'")
    again_report.add_argument("--json", type=Path, metavar="PATH", help="write its JSON report here")
    again_report.add_argument("--html", type=Path, metavar="PATH", help="write its HTML report here")
    again_report.add_argument("--junit", type=Path, metavar="PATH", help="write its JUnit XML here")
    again_report.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    again_report.set_defaults(handler=_report)

    add_sql_parser(commands)
    add_batch_parser(commands)

    again = commands.add_parser("replay", help="run a failing input again")
    again.add_argument("report", nargs="?", type=Path, help="a JSON report: replay its failures")
    again.add_argument("--spec", type=Path, help="the spec the failure came from")
    again.add_argument("--reference", metavar="TARGET", help="the reference, without a spec")
    again.add_argument("--candidate", metavar="TARGET")
    again.add_argument("--case", metavar="BASE64", help="the input, as in the report's evidence")
    again.set_defaults(handler=_replay)
    return parser


def _check(options: argparse.Namespace, console: Console, errors: Console) -> int:
    if not options.candidate:
        raise SpecError("no candidate: name one with --candidate pkg.mod:func or file.py:func")
    loaded = _spec_from_options(options)
    spec = loaded.spec if isinstance(loaded, LoadedSpec) else loaded
    overrides: dict[str, object] = {}
    if options.examples is not None:
        if options.examples < 0:
            raise SpecError(f"--examples must be >= 0, not {options.examples}")
        overrides["criteria"] = [
            dataclasses.replace(c, examples=options.examples) if isinstance(c, SameResults) else c
            for c in spec.criteria
        ]
    if options.timeout is not None:
        overrides["timeout"] = options.timeout
    if options.budget is not None:
        if not options.budget > 0:
            raise SpecError(f"--budget must be a number of seconds > 0, not {options.budget}")
        overrides["criteria"] = [
            dataclasses.replace(c, budget_s=options.budget) if hasattr(c, "budget_s") else c
            for c in overrides.get("criteria", spec.criteria)  # type: ignore[attr-defined]
        ]
    if overrides:
        spec = dataclasses.replace(spec, **overrides)  # type: ignore[arg-type]
        if isinstance(loaded, LoadedSpec):
            loaded = dataclasses.replace(loaded, spec=spec)
        else:
            loaded = spec
    show_progress = not options.quiet and errors.is_terminal
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    recorder = None if options.no_store else RunRecorder.begin(
        options.store, spec=str(loaded.path) if isinstance(loaded, LoadedSpec) else None,
        reference=spec.reference_target.text, candidates=options.candidate, seed=seed,
        report_order=[criterion.name for criterion in spec.criteria])
    with guarded(recorder), progress_bars(errors, show_progress) as progress:
        result = check(loaded, options.candidate,
                       RunOptions(seed=seed, inputs=options.inputs, progress=progress,
                                  on_check=recorder.record if recorder else None))
    if recorder:
        recorder.finish(result)
    write_reports(result, json=options.json, html=options.html, junit=options.junit)
    print_run(console, result, details=not options.quiet)
    if recorder:
        console.print(f"recorded as run {recorder.run_id} in {options.store}", style="dim", highlight=False)
    return result.exit_code


def _history(options: argparse.Namespace, console: Console, errors: Console) -> int:
    with Store(_existing_store(options.store)) as store:
        runs = store.list_runs(options.limit)
    if options.json:
        console.print_json(data=[run.to_json() for run in runs])
        return 0
    table = Table(title=f"runs in {options.store}", title_justify="left")
    for column in ("run", "started (UTC)", "verdict", "reference", "candidates", "seconds"):
        table.add_column(column, overflow="fold")
    for run in runs:
        verdict = verdict_text(run.verdict) if run.verdict in STYLES else run.verdict
        table.add_row(run.id, run.started_at.strftime("%Y-%m-%d %H:%M:%S"), verdict, run.reference,
                      "\n".join(run.candidates),
                      "" if run.duration_s is None else f"{run.duration_s:.1f}")
    console.print(table)
    return 0


def _compare(options: argparse.Namespace, console: Console, errors: Console) -> int:
    with Store(_existing_store(options.store)) as store:
        before, after = store.resolve(options.before), store.resolve(options.after)
        changes = store.compare(before, after)
    if options.json:
        console.print_json(data={"before": before, "after": after, "checks": changes_to_json(changes)})
        return 0
    table = Table(title=f"{before} -> {after}", title_justify="left")
    for column in ("candidate", "criterion", "verdict", "ratio", "class"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            change.candidate, change.criterion,
            _arrow(change.verdict_before, change.verdict_after),
            _arrow(_number(change.ratio_before), _number(change.ratio_after)),
            _arrow(change.class_before, change.class_after),
            style=None if change.changed else "dim",
        )
    console.print(table)
    return 0


def _report(options: argparse.Namespace, console: Console, errors: Console) -> int:
    with Store(_existing_store(options.store)) as store:
        stored = store.load_run(options.run)
    write_reports(stored.result, json=options.json, html=options.html, junit=options.junit)
    print_run(console, stored.result)
    console.print(f"run {stored.id}, {stored.started_at:%Y-%m-%d %H:%M:%S} UTC: {stored.verdict}",
                  highlight=False)
    return {"pass": 0, "fail": 1}.get(stored.verdict, 3)  # 3: inconclusive, error or unfinished


def _existing_store(path: Path) -> Path:
    if not path.exists():
        raise SpecError(f"no results store at {path}: run `signoff check` first, or pass --store PATH")
    return path


def _arrow(before: object, after: object) -> str:
    if before == after:
        return "" if before is None else str(before)
    return f"{'-' if before is None else before} -> {'-' if after is None else after}"


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:.3g}"


def _spec_from_options(options: argparse.Namespace) -> LoadedSpec | Spec:
    if options.spec is not None:
        if options.reference:
            raise SpecError("give either a spec file or --reference, not both")
        return load_spec(options.spec)
    if not options.reference:
        raise SpecError("give a spec file (signoff check SPEC.py ...) or --reference TARGET")
    spec = Spec(reference=options.reference, folder=Path.cwd())
    try:
        inputs = infer_inputs(spec.reference_target)
    except SpecError:
        if not options.inputs:
            raise
        return spec  # supplied inputs only
    return dataclasses.replace(spec, inputs=inputs)


def _replay(options: argparse.Namespace, console: Console, errors: Console) -> int:
    if options.report is not None:
        return _replay_report(options.report, console)
    if not options.candidate or not options.case:
        raise SpecError("replay needs a REPORT.json, or --candidate and --case with --spec or --reference")
    return _replay_one(options.spec, options.reference, options.candidate, options.case, console)


def _replay_report(path: Path, console: Console) -> int:
    result = read_report(path)
    commands = [
        check.evidence["replay"] for candidate in result.candidates for check in candidate.checks
        if check.verdict == "fail" and check.evidence.get("replay")
    ]
    if not commands:
        console.print(f"{path}: no failure with an input to replay")
        return 0
    worst = 0
    for command in commands:
        console.print(f"[bold]$ {command}[/]", highlight=False)
        words = shlex.split(command)
        argv = dict(zip(words[2::2], words[3::2], strict=True))
        worst = max(worst, _replay_one(
            Path(argv["--spec"]) if "--spec" in argv else None, argv.get("--reference"),
            argv["--candidate"], argv["--case"], console,
        ))
    return worst


def _replay_one(spec_path: Path | None, reference: str | None, candidate: str, case: str,
                console: Console) -> int:
    try:
        data = base64.b64decode(case, validate=True)
    except (binascii.Error, ValueError):
        raise SpecError("--case is not base64 (copy it whole from the report's replay)") from None
    if spec_path is not None:
        loaded: LoadedSpec | None = load_spec(spec_path)
        spec = loaded.spec  # type: ignore[union-attr]
    elif reference:
        loaded, spec = None, Spec(reference=reference, folder=Path.cwd())
    else:
        raise SpecError("replay needs --spec or --reference")
    replayed = replay(spec, candidate, data, loaded=loaded)
    console.print(f"reference  {replayed.reference.describe()}", highlight=False)
    console.print(f"candidate  {replayed.candidate.describe()}", highlight=False)
    if replayed.difference is None:
        console.print(verdict_text("pass"), "the outcomes agree now")
        return EXIT_CODES["pass"]
    console.print(verdict_text("fail"), f"{replayed.difference.kind}: {replayed.difference.summary}",
                  highlight=False)
    return EXIT_CODES["fail"]


if __name__ == "__main__":
    sys.exit(main())
