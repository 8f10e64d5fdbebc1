"""``signoff replay``: run a failing input again, from a report or from its replay command.

    signoff replay REPORT.json                     # every failure of the report with an input
    signoff replay --spec SPEC.py --candidate TARGET --case BASE64
    signoff replay --reference TARGET --candidate TARGET --case BASE64
"""

from __future__ import annotations

import argparse
import base64
import binascii
import shlex
from pathlib import Path
from typing import Any

from rich.console import Console

from signoff.checking import replay
from signoff.errors import SpecError
from signoff.report.json_report import read_report
from signoff.report.terminal import verdict_text
from signoff.spec import Spec
from signoff.specfile import LoadedSpec, load_spec
from signoff.verdict import EXIT_CODES


def add_replay_parser(commands: Any) -> None:
    """Add ``replay`` to the ``signoff`` command's subparsers."""
    again = commands.add_parser("replay", help="run a failing input again")
    again.add_argument("report", nargs="?", type=Path, help="a JSON report: replay its failures")
    again.add_argument("--spec", type=Path, help="the spec the failure came from")
    again.add_argument("--reference", metavar="TARGET", help="the reference, without a spec")
    again.add_argument("--candidate", metavar="TARGET")
    again.add_argument("--case", metavar="BASE64", help="the input, as in the report's evidence")
    again.set_defaults(handler=handle_replay)


def handle_replay(options: argparse.Namespace, console: Console, errors: Console) -> int:
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
        console.print(f"$ {command}", style="bold", soft_wrap=True)
        argv = _replay_arguments(command, path)
        worst = max(worst, _replay_one(
            Path(argv["--spec"]) if "--spec" in argv else None, argv.get("--reference"),
            argv["--candidate"], argv["--case"], console,
        ))
    return worst


def _replay_arguments(command: object, path: Path) -> dict[str, str]:
    """The flags of a report's replay command (``signoff replay --spec S --candidate C --case X``)."""
    words: list[str] = []
    argv: dict[str, str] = {}
    try:
        words = shlex.split(str(command))
        argv = dict(zip(words[2::2], words[3::2], strict=True))
    except ValueError:  # unbalanced quotes, or a flag without its value
        pass
    if words[:2] != ["signoff", "replay"] or not {"--candidate", "--case"} <= set(argv):
        raise SpecError(f"{path}: a replay command that is not one: {str(command)[:200]!r}")
    return argv


def _replay_one(spec_path: Path | None, reference: str | None, candidate: str, case: str,
                console: Console) -> int:
    try:
        data = base64.b64decode(case, validate=True)
    except (binascii.Error, ValueError):
        raise SpecError("--case is not base64 (copy it whole from the report's replay)") from None
    loaded: LoadedSpec | None
    if spec_path is not None:
        loaded = load_spec(spec_path)
        spec = loaded.spec
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
