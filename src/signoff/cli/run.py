"""The one run pipeline of ``check``, ``sql`` and ``batch``: each front-end builds its plan and calls it.

A ``Run`` owns what every front-end shares, so each rule exists once:

- the report paths (``--json``, ``--html``, ``--junit``), checked when the run is made, before
  anything runs (a refused path is a one-line error, not a lost verdict table), and written
  when it finishes;
- the seed: ``--seed N``, else a fresh random one; a plan may carry its own (a resumed batch
  keeps the seed it was started with); shown in the output and recorded;
- the machine: its environment captured as the run starts (the load average before), completed
  when the work ends (the load after, the noise figure), and put in every report and the store;
- the results store: the run recorded as it goes (``signoff.recorder``), an error recorded
  when bad input found late stops it, the "recorded as run ..." line at the end;
- the progress bars on the error console (not with ``--quiet`` or without a terminal);
- the terminal output: the verdict table, each failure's details (not with ``--quiet``) and
  the closing line, or a front-end's own view (a batch's pass@k summary).

    run = Run(options, console, errors)
    result = run.execute(Plan(reference=..., candidates=...),
                         lambda hooks: check(..., seed=hooks.seed, progress=hooks.progress,
                                             on_check=hooks.on_check))
    return run.finish(Outcome(result))
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from signoff.cli import values
from signoff.environment import capture_environment, completed, load_average
from signoff.inputs import seed_or_fresh
from signoff.recorder import RunRecorder, guarded
from signoff.report.files import check_report_paths, write_reports
from signoff.report.progress import BarUpdate, progress_bars
from signoff.report.terminal import measured_on_line, print_run
from signoff.runner.process import sandbox_words
from signoff.store import DEFAULT_STORE
from signoff.verdict import EXIT_CODES, CheckResult, RunResult

UNKNOWN_COMMAND = "signoff"  # recorded when a handler is called without main() (tests, embedding)

T = TypeVar("T")
OnCheck = Callable[[str, CheckResult], None]  # (candidate, check) as each check ends


def add_run_options(parser: argparse.ArgumentParser, *, seed: str, quiet: str,
                    json: str = "write the JSON report here") -> None:
    """The options every run shares; ``seed``, ``quiet`` and ``json`` are their help texts."""
    parser.add_argument("--json", type=Path, metavar="PATH", help=json)
    parser.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report here")
    parser.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML here (for CI)")
    parser.add_argument("--seed", type=values.seed, metavar="N",
                        help=f"{seed} (default: a fresh random seed, shown and recorded)")
    parser.add_argument("--quiet", "-q", action="store_true", help=quiet)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH",
                        help=f"results database to record this run in (default {DEFAULT_STORE})")
    parser.add_argument("--no-store", action="store_true", help="do not record this run")


@dataclass(frozen=True)
class Plan:
    """What a front-end is about to run, as the store records it."""

    reference: str
    candidates: Sequence[str] = ()
    spec: str | None = None
    report_order: Sequence[str] = ()  # the criteria in report order, when checks end in another
    seed: int | None = None  # a seed the plan must keep (a resumed batch's), over --seed
    run_id: str | None = None  # a recorded run to continue (a resumed batch's)


@dataclass(frozen=True)
class Hooks:
    """What the run hands the front-end's work: the seed and where to report as it goes."""

    seed: int
    run_id: str | None  # the recorded run; None with --no-store
    progress: BarUpdate | None
    on_check: OnCheck | None


@dataclass(frozen=True)
class Outcome:
    """A front-end's result, as the run finishes it."""

    result: RunResult  # what the store records and the HTML and JUnit reports show
    view: Callable[[Console], None] | None = None  # instead of the verdict table (a batch's summary)
    report: Mapping[str, Any] | None = None  # the --json report, when not result.to_json()
    note: str = ""  # after "recorded as run ID", e.g. " (batch ID)"


class Run:
    """One run of ``check``, ``sql`` or ``batch``, from its options to its exit status."""

    def __init__(self, options: argparse.Namespace, console: Console, errors: Console) -> None:
        """Check the report paths now, before anything runs (SpecError for a refused one)."""
        check_report_paths(json=options.json, html=options.html, junit=options.junit)
        self.options = options
        self.console, self.errors = console, errors
        self.store: Path | None = None if options.no_store else Path(options.store)
        self.recorder: RunRecorder | None = None
        self.environment: dict[str, Any] | None = None  # as the run started; completed by execute

    def execute(self, plan: Plan, work: Callable[[Hooks], T]) -> T:
        """Settle the seed, record the run's start, and call ``work`` under the progress bars;
        bad input that stops it is recorded as an error."""
        seed = _seed(plan.seed, self.options.seed)
        environment = capture_environment(Path.cwd())  # the load average before: as the run starts
        if self.store is not None:
            self.recorder = RunRecorder.begin(
                self.store, command=getattr(self.options, "command_line", None) or UNKNOWN_COMMAND,
                spec=plan.spec, reference=plan.reference, candidates=plan.candidates, seed=seed,
                report_order=plan.report_order, resume=plan.run_id, environment=environment)
        recorder = self.recorder
        shown = not self.options.quiet and self.errors.is_terminal
        with guarded(recorder), progress_bars(self.errors, shown) as progress:
            hooks = Hooks(seed, recorder.run_id if recorder else None, progress,
                          recorder.record if recorder else None)
            done = work(hooks)
        # The load after: as the work ends, before the reports (cheap) are written.
        self.environment = completed(environment, load_after=load_average(), noise=None,
                                     sandbox=sandbox_words())
        return done

    def finish(self, outcome: Outcome) -> int:
        """Record the verdict, show the result, write the reports; the exit status. The reports come
        last: a path that fails only now (the disk full) costs its report, never the verdict shown."""
        result, report = self._measured(outcome)
        verdict = result.verdict
        if self.recorder:
            self.recorder.finish(verdict, result.duration_s, result.environment)
        if outcome.view is not None:
            outcome.view(self.console)
            if (footer := measured_on_line(result)) is not None:
                self.console.print(footer)
        else:
            print_run(self.console, result, details=not self.options.quiet)
        write_reports(result, json=self.options.json, html=self.options.html, junit=self.options.junit,
                      json_report=report)
        if self.recorder:
            self.console.print(f"recorded as run {self.recorder.run_id}{outcome.note} in {self.store}",
                               style="dim", highlight=False)
        return EXIT_CODES[verdict]

    def _measured(self, outcome: Outcome) -> tuple[RunResult, Mapping[str, Any] | None]:
        """The result and a front-end's own JSON report, each with the run's environment (its
        noise figure from the result's checks); as they are when nothing was executed."""
        result, report = outcome.result, outcome.report
        if self.environment is None:
            return result, report
        environment = completed(self.environment, load_after=None, noise=result.noise)
        return (replace(result, environment=environment),
                None if report is None else {**report, "environment": environment})


def _seed(kept: int | None, given: int | None) -> int:
    """The one seed rule: a plan's own (a resumed batch's), else --seed, else a fresh random one."""
    if kept is not None:
        return kept
    return seed_or_fresh(given)
