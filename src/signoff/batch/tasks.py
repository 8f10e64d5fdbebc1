"""Tasks: a reference solution, its inputs and how results are compared.

A ``Task`` is what one sample is judged against: the entry point, the
reference solution's source (a whole program), the supplied base and plus
inputs, the comparison (exact, or float tolerance), an optional special oracle,
and optionally a Hypothesis strategy for generated inputs and a workload for
the sample's speed against the reference. Tasks are built in Python, or read
by ``load_tasks`` from a file in one of three formats:

- EvalPlus JSONL (HumanEval+, MBPP+), where the reference is
  ``prompt + canonical_solution`` (this module, with ``evalplus``);
- signoff's own JSONL, told apart by its ``reference`` field (``native``):
  supplied inputs, a strategy inferred from type hints, a workload;
- a Python file that defines ``TASKS`` or ``tasks()`` (``taskfile``), for
  strategies and workloads of any kind.
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
from signoff.spec import DEFAULT_EXAMPLES, Arguments, Call, Speed, Workload

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
    # Generated inputs, beside the supplied ones: signoff.args(...), a strategy of one
    # argument, or a strategy of Calls (as Spec(inputs=...) takes them).
    strategy: SearchStrategy[Any] | Arguments | None = None
    examples: int = DEFAULT_EXAMPLES  # generated inputs per sample, with a strategy
    workload: Workload | None = None  # sized inputs: a correct sample is timed against the reference
    speed: Speed | None = None  # how much slower it may be; None: the ratio is reported, not judged
    call_strategy: SearchStrategy[Call] | None = field(init=False, default=None, repr=False,
                                                       compare=False)  # ``strategy`` as Calls

    def __post_init__(self) -> None:
        where = f"task {self.task_id}"
        if not isinstance(self.task_id, str) or not self.task_id:
            raise SpecError(f"Task(task_id=...) must be a non-empty string, not {self.task_id!r}")
        if not isinstance(self.entry_point, str) or not _IDENTIFIER.match(self.entry_point):
            raise SpecError(f"{where}: entry point {self.entry_point!r} is not a function name")
        if self.oracle is not None and self.oracle not in evalplus.ORACLES:
            raise SpecError(f"{where}: unknown oracle {self.oracle!r}; "
                            f"known: {', '.join(sorted(evalplus.ORACLES))}")
        object.__setattr__(self, "call_strategy", _as_calls(self.strategy, where))
        if not (self.base_inputs or self.plus_inputs or self.strategy is not None):
            raise SpecError(f"{where}: no inputs (supplied or a strategy)")
        if not isinstance(self.examples, int) or isinstance(self.examples, bool) or self.examples < 0:
            raise SpecError(f"{where}: examples must be an int >= 0, not {self.examples!r}")
        if self.workload is not None and not isinstance(self.workload, Workload):
            raise SpecError(f"{where}: workload must be signoff.workload(make, sizes=...), "
                            f"not {self.workload!r}")
        if self.speed is not None:
            if not isinstance(self.speed, Speed):
                raise SpecError(f"{where}: speed must be signoff.speed(at_most=...), not {self.speed!r}")
            if self.workload is None:
                raise SpecError(f"{where}: speed needs sized inputs: add workload=signoff.workload(...)")
            if self.speed.size is not None and self.speed.size not in self.workload.sizes:
                raise SpecError(f"{where}: speed(size={self.speed.size}) is not one of the workload's "
                                f"sizes {self.workload.sizes}")

    def solution(self, sample: Mapping[str, Any]) -> str:
        """The program a sample stands for: its ``solution``, or the prompt plus its ``completion``."""
        if isinstance(sample.get("solution"), str):
            return str(sample["solution"])
        return self.prompt + str(sample["completion"])


def _as_calls(strategy: object, where: str) -> SearchStrategy[Call] | None:
    if strategy is None:
        return None
    if isinstance(strategy, Arguments):
        return strategy.strategy
    if not isinstance(strategy, SearchStrategy):
        raise SpecError(f"{where}: strategy must be a Hypothesis strategy or signoff.args(...), "
                        f"not {type(strategy).__name__} {strategy!r}")
    return strategy.map(_call)


def _call(value: Any) -> Call:
    """A drawn value as a call: a Call as it is, anything else as the one argument."""
    return value if isinstance(value, Call) else Call((value,), {})


def load_tasks(path: Path, *, limit: int | None = None) -> list[Task]:
    """The tasks in ``path``, in file order; the first ``limit`` only.

    A ``.py`` file is a Python tasks file (``taskfile``); anything else is
    JSONL, gzipped or not, each line in the EvalPlus format or signoff's own
    (``native``), told apart by its fields. SpecError (exit 2) when the file
    is missing, is not JSONL, or a task is not valid: one line naming the
    file, the line and the field.
    """
    # They build Tasks, so they import this module: imported here, not in a cycle.
    from signoff.batch.native import REQUIRED, from_record, is_native
    from signoff.batch.taskfile import load_task_file

    if path.suffix == ".py":
        return load_task_file(path, limit=limit)
    tasks: list[Task] = []
    seen: set[str] = set()
    for number, record in _records(path):
        if limit is not None and len(tasks) >= limit:
            break
        if is_native(record):
            task = from_record(record, f"{path}:{number}")
        elif EVALPLUS_FIELDS <= set(record):
            try:
                task = from_evalplus(record)
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                raise SpecError(f"{path}:{number}: not a valid EvalPlus task: {error}") from None
        else:
            missing = ", ".join(sorted(EVALPLUS_FIELDS - set(record)))
            raise SpecError(f"{path}:{number}: unknown task format: a signoff task has "
                            f"{', '.join(REQUIRED)}; an EvalPlus task (HumanEval+, MBPP+) has "
                            f"{', '.join(sorted(EVALPLUS_FIELDS))} (this record lacks {missing})")
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
