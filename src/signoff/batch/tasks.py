"""Tasks: a reference solution, its inputs and how results are compared.

A ``Task`` is what one sample is judged against: the entry point, the
reference solution's source (a whole program), the supplied base and plus
inputs, the comparison (exact, or float tolerance), an optional special oracle,
and optionally a Hypothesis strategy for generated inputs and a workload for
cost criteria. Tasks are built in Python, or imported from a file by
``load_tasks``; the one format it reads today is EvalPlus's (HumanEval+,
MBPP+), where the reference is ``prompt + canonical_solution``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis.strategies import SearchStrategy

from signoff.batch import evalplus
from signoff.equality import Equality, Exact
from signoff.errors import SpecError
from signoff.spec import DEFAULT_EXAMPLES, Call, Workload

_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
EVALPLUS_FIELDS = frozenset({"task_id", "prompt", "entry_point", "canonical_solution", "base_input",
                             "plus_input"})


@dataclass(frozen=True)
class Task:
    """One task of a batch; samples for it are judged against ``reference``."""

    task_id: str
    entry_point: str
    reference: str  # the reference solution: a whole program that defines entry_point
    prompt: str = ""  # what a sample's "completion" is appended to
    base_inputs: tuple[Call, ...] = ()  # the original benchmark's inputs
    plus_inputs: tuple[Call, ...] = ()  # the extended inputs
    equal: Equality = field(default_factory=Exact)
    atol: float = 0.0  # the task's own tolerance, as the oracles need it
    oracle: str | None = None  # a name in evalplus.ORACLES: more than one right answer
    strategy: SearchStrategy[Call] | None = None  # generated inputs, beside the supplied ones
    examples: int = DEFAULT_EXAMPLES  # generated inputs per sample, with a strategy
    workload: Workload | None = None  # sized inputs for cost criteria (not judged yet)

    def __post_init__(self) -> None:
        if not isinstance(self.task_id, str) or not self.task_id:
            raise SpecError(f"Task(task_id=...) must be a non-empty string, not {self.task_id!r}")
        if not isinstance(self.entry_point, str) or not _IDENTIFIER.match(self.entry_point):
            raise SpecError(f"task {self.task_id}: entry point {self.entry_point!r} is not a function name")
        if self.oracle is not None and self.oracle not in evalplus.ORACLES:
            raise SpecError(f"task {self.task_id}: unknown oracle {self.oracle!r}; "
                            f"known: {', '.join(sorted(evalplus.ORACLES))}")
        if not (self.base_inputs or self.plus_inputs or self.strategy is not None):
            raise SpecError(f"task {self.task_id}: no inputs (supplied or a strategy)")

    def solution(self, sample: Mapping[str, Any]) -> str:
        """The program a sample stands for: its ``solution``, or the prompt plus its ``completion``."""
        if isinstance(sample.get("solution"), str):
            return str(sample["solution"])
        return self.prompt + str(sample["completion"])


def load_tasks(path: Path, *, limit: int | None = None) -> list[Task]:
    """The tasks in ``path`` (JSONL, gzipped or not), in file order; the first ``limit`` only.

    SpecError (exit 2) when the file is missing, is not JSONL, or is in no known format.
    """
    tasks: list[Task] = []
    seen: set[str] = set()
    for number, record in _records(path):
        if limit is not None and len(tasks) >= limit:
            break
        if not EVALPLUS_FIELDS <= set(record):
            missing = ", ".join(sorted(EVALPLUS_FIELDS - set(record)))
            raise SpecError(f"{path}:{number}: unknown task format: an EvalPlus task (HumanEval+, MBPP+) "
                            f"has {', '.join(sorted(EVALPLUS_FIELDS))}; this record lacks {missing}")
        try:
            task = from_evalplus(record)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise SpecError(f"{path}:{number}: not a valid EvalPlus task: {error}") from None
        if task.task_id in seen:
            raise SpecError(f"{path}:{number}: task {task.task_id} appears twice")
        seen.add(task.task_id)
        tasks.append(task)
    if not tasks and limit != 0:
        raise SpecError(f"{path}: no tasks in the file")
    return tasks


def from_evalplus(record: Mapping[str, Any]) -> Task:
    """A task from one EvalPlus record (HumanEval+ or MBPP+), compared as EvalPlus compares."""
    task_id, entry_point = str(record["task_id"]), str(record["entry_point"])
    base, plus = _argument_lists(record["base_input"]), _argument_lists(record["plus_input"])
    if task_id.startswith("Mbpp/"):
        base, plus = evalplus.mbpp_inputs(task_id, base), evalplus.mbpp_inputs(task_id, plus)
    atol = float(record.get("atol") or 0.0)
    if atol < 0 or atol != atol:
        raise ValueError(f"atol must be a number >= 0, not {record.get('atol')!r}")
    return Task(
        task_id=task_id, entry_point=entry_point,
        reference=str(record["prompt"]) + str(record["canonical_solution"]),
        prompt=str(record["prompt"]),
        base_inputs=tuple(Call(tuple(args)) for args in base),
        plus_inputs=tuple(Call(tuple(args)) for args in plus),
        equal=evalplus.close(atol), atol=atol, oracle=evalplus.oracle_for(task_id, entry_point),
    )


def _argument_lists(value: Any) -> list[Any]:
    """Inputs as lists of arguments; an empty object (as in Mbpp/793's plus_input) is none."""
    if isinstance(value, dict) and not value:
        return []
    if not isinstance(value, list) or not all(isinstance(args, list | tuple) for args in value):
        raise ValueError("inputs must be a list of argument lists")
    return value


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in jsonl_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SpecError(f"{path}:{number}: not JSONL: {error.msg}") from None
        if not isinstance(record, dict):
            raise SpecError(f"{path}:{number}: not JSONL: expected an object per line")
        yield number, record


def jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSONL file, gzipped or not, with their line numbers."""
    if not path.is_file():
        raise SpecError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        opened = gzip.open(path, "rt", encoding="utf-8") if gzipped else path.open(encoding="utf-8")
        with opened as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    yield number, line
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise SpecError(f"{path}: not JSONL text: {error}") from None
