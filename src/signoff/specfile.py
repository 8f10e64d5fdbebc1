"""Spec files and input files: ``load_spec`` runs a spec file, ``load_corpus`` reads supplied inputs.

A spec file is a Python file that defines ``spec = signoff.Spec(...)``. A
mistake in it is a SpecError that names the file and the line.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from signoff.errors import SpecError
from signoff.inputs import Call
from signoff.jsonl import jsonl_lines
from signoff.spec import Spec, spec_folder


@dataclass(frozen=True)
class LoadedSpec:
    spec: Spec
    path: Path
    module_name: str  # the spec's module, which workers may import to unpickle inputs


def load_spec(path: str | Path) -> LoadedSpec:
    """Run a spec file and return its ``spec``; SpecError says what went wrong and where."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"spec file not found: {path}")
    if path.suffix != ".py":
        raise SpecError(f"{path}: a spec is a Python file (.py) that defines `spec = signoff.Spec(...)`")
    resolved = path.resolve()
    module_name = "signoff_spec_" + re.sub(r"\W", "_", resolved.stem)
    module_spec = importlib.util.spec_from_file_location(module_name, resolved)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module  # inputs built from the spec's own classes must pickle
    try:
        with spec_folder(resolved.parent):
            module_spec.loader.exec_module(module)
    except SpecError as error:
        raise SpecError(f"{path}:{_user_line(error, resolved)}: {error}") from None
    except SyntaxError as error:
        raise SpecError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from None
    except (Exception, SystemExit) as error:  # exit() in user code is an error
        raise SpecError(
            f"{path}:{_user_line(error, resolved)}: the spec raised "
            f"{type(error).__name__}: {error}"
        ) from None
    spec = getattr(module, "spec", None)
    if spec is None:
        raise SpecError(f"{path}: defines no `spec`; add `spec = signoff.Spec(reference=...)`")
    if not isinstance(spec, Spec):
        raise SpecError(f"{path}: `spec` is a {type(spec).__name__}, not a signoff.Spec")
    return LoadedSpec(spec, path, module_name)


def load_corpus(path: Path) -> list[Call]:
    """Supplied inputs: JSON lines of ``{"args": [...], "kwargs": {...}}``."""
    calls = []
    for number, line in jsonl_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SpecError(f"{path}:{number}: not JSON: {error.msg}") from None
        if not isinstance(record, dict) or not set(record) <= {"args", "kwargs"}:
            raise SpecError(
                f'{path}:{number}: expected {{"args": [...], "kwargs": {{...}}}}, got {line.strip()[:80]}'
            )
        positional, keywords = record.get("args", []), record.get("kwargs", {})
        if not isinstance(positional, list) or not isinstance(keywords, dict):
            raise SpecError(f'{path}:{number}: "args" must be a list and "kwargs" an object')
        calls.append(Call(tuple(positional), keywords))
    return calls


def _user_line(error: BaseException, spec_path: Path) -> int | str:
    """The line of the spec file that raised, from the traceback."""
    line: int | str = "?"
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == spec_path and frame.lineno is not None:
            line = frame.lineno
    return line
