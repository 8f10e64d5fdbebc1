"""``signoff check``: judge candidates against a spec file, or against a reference alone.

    signoff check SPEC.py --candidate TARGET [--candidate ...] [--json PATH] [--seed N] [--keep-going]
                  [--measure instructions] ...
    signoff check --reference TARGET --candidate TARGET      # inputs inferred from type hints

The handler builds the plan (the spec, with the command line's overrides) and
hands it to the one run pipeline (``cli.run``).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any, cast

from rich.console import Console

from signoff.checking import RunOptions, check
from signoff.cli.run import Outcome, Plan, Run, add_run_options
from signoff.cli.values import seconds, whole
from signoff.criteria import SameResults
from signoff.errors import SpecError
from signoff.infer import infer_inputs
from signoff.runner.trusted import load_trusted
from signoff.spec import Spec
from signoff.specfile import LoadedSpec, load_spec


def add_check_parser(commands: Any) -> None:
    """Add ``check`` to the ``signoff`` command's subparsers."""
    run = commands.add_parser("check", help="judge candidates against a spec or a reference")
    run.add_argument("spec", nargs="?", type=Path, help="spec file defining `spec = signoff.Spec(...)`")
    run.add_argument("--candidate", "-c", action="append", default=[], metavar="TARGET",
                     help="pkg.mod:func or path/to/file.py:func (repeatable)")
    run.add_argument("--reference", "-r", metavar="TARGET",
                     help="without a spec: the reference; inputs come from its type hints")
    run.add_argument("--inputs", action="append", default=[], type=Path, metavar="FILE.jsonl",
                     help='supplied inputs, one {"args": [...], "kwargs": {...}} per line')
    run.add_argument("--examples", type=whole(0), metavar="N",
                     help="generated inputs per candidate (overrides the spec)")
    run.add_argument("--timeout", type=seconds, metavar="SECONDS", help="per-call time limit")
    run.add_argument("--budget", type=seconds, metavar="SECONDS",
                     help="time budget of each criterion (overrides the spec)")
    run.add_argument("--measure", choices=("time", "instructions"), default="time",
                     help="what speed and scaling measure: time as the spec says (the default), or "
                          "instructions for every one of them, counted under Valgrind (needs valgrind)")
    run.add_argument("--keep-going", action="store_true",
                     help="measure the costs (speed, scaling, memory) of a candidate whose answers "
                          "differ too; by default they are skipped")
    add_run_options(run, seed="seed for generated inputs (repeatable runs)",
                    quiet="no progress, table only")
    run.set_defaults(handler=handle_check)


def handle_check(options: argparse.Namespace, console: Console, errors: Console) -> int:
    if not options.candidate:
        raise SpecError("no candidate: name one with --candidate pkg.mod:func or file.py:func")
    loaded = _with_overrides(_spec_from_options(options), options)
    spec = loaded.spec if isinstance(loaded, LoadedSpec) else loaded
    run = Run(options, console, errors)
    plan = Plan(reference=spec.reference_target.text, candidates=options.candidate,
                spec=str(loaded.path) if isinstance(loaded, LoadedSpec) else None,
                report_order=[criterion.name for criterion in spec.criteria])
    result = run.execute(plan, lambda hooks: check(
        loaded, options.candidate, RunOptions(seed=hooks.seed, inputs=options.inputs,
                                              progress=hooks.progress, on_check=hooks.on_check,
                                              count_instructions=options.measure == "instructions"),
        keep_going=options.keep_going))
    return run.finish(Outcome(result))


def _spec_from_options(options: argparse.Namespace) -> LoadedSpec | Spec:
    """The spec file, or a spec of ``--reference`` alone with inputs from its type hints."""
    if options.spec is not None:
        if options.reference:
            raise SpecError("give either a spec file or --reference, not both")
        return load_spec(options.spec)
    if not options.reference:
        raise SpecError("give a spec file (signoff check SPEC.py ...) or --reference TARGET")
    spec = Spec(reference=options.reference, folder=Path.cwd())
    try:
        inputs = infer_inputs(load_trusted(spec.reference_target), spec.reference_target.text)
    except SpecError:
        if not options.inputs:
            raise
        return spec  # supplied inputs only
    return dataclasses.replace(spec, inputs=inputs)


def _with_overrides(loaded: LoadedSpec | Spec, options: argparse.Namespace) -> LoadedSpec | Spec:
    """The spec with --examples, --timeout and --budget applied."""
    spec = loaded.spec if isinstance(loaded, LoadedSpec) else loaded
    overrides: dict[str, Any] = {}
    criteria = list(spec.criteria)
    if options.examples is not None:  # the ranges are the parser's (cli.values)
        criteria = [dataclasses.replace(c, examples=options.examples) if isinstance(c, SameResults) else c
                    for c in criteria]
        overrides["criteria"] = criteria
    if options.timeout is not None:
        overrides["timeout"] = options.timeout
    if options.budget is not None:
        overrides["criteria"] = [dataclasses.replace(cast(Any, c), budget_s=options.budget)
                                 if hasattr(c, "budget_s") else c for c in criteria]
    if not overrides:
        return loaded
    spec = dataclasses.replace(spec, **overrides)
    return dataclasses.replace(loaded, spec=spec) if isinstance(loaded, LoadedSpec) else spec
