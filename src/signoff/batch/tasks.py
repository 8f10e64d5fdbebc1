"""Task files: ``load_tasks`` reads the ``Task`` list (``task``) from a file in one of three formats:

- EvalPlus JSONL (HumanEval+, MBPP+), where the reference is
  ``prompt + canonical_solution`` (this module, with ``evalplus``);
- signoff's own JSONL, told apart by its ``reference`` field (``native``):
  supplied inputs, a strategy inferred from type hints, a workload;
- a Python file that defines ``TASKS`` or ``tasks()`` (``taskfile``), for
  strategies and workloads of any kind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from signoff.batch import evalplus
from signoff.batch.native import REQUIRED, from_record, is_native
from signoff.batch.task import Task, take
from signoff.batch.taskfile import load_task_file
from signoff.errors import SpecError
from signoff.inputs import Call
from signoff.jsonl import jsonl_lines

EVALPLUS_FIELDS = frozenset({"task_id", "prompt", "entry_point", "canonical_solution", "base_input",
                             "plus_input"})


def load_tasks(path: Path, *, limit: int | None = None) -> list[Task]:
    """The tasks in ``path``, in file order; the first ``limit`` only.

    A ``.py`` file is a Python tasks file (``taskfile``); anything else is
    JSONL, gzipped or not, each line in the EvalPlus format or signoff's own
    (``native``), told apart by its fields. SpecError (exit 2) when the file
    is missing, is not JSONL, or a task is not valid: one line naming the
    file, the line and the field.
    """
    if path.suffix == ".py":
        return load_task_file(path, limit=limit)
    tasks = take(((f"{path}:{number}", _task(path, number, record)) for number, record in _records(path)),
                 limit)
    if not tasks and limit != 0:
        raise SpecError(f"{path}: no tasks in the file")
    return tasks


def _task(path: Path, number: int, record: dict[str, Any]) -> Task:
    """The task on one line, in whichever format the line is written."""
    if is_native(record):
        return from_record(record, f"{path}:{number}")
    if EVALPLUS_FIELDS <= set(record):
        try:
            return from_evalplus(record)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise SpecError(f"{path}:{number}: not a valid EvalPlus task: {error}") from None
    missing = ", ".join(sorted(EVALPLUS_FIELDS - set(record)))
    raise SpecError(f"{path}:{number}: unknown task format: a signoff task has "
                    f"{', '.join(REQUIRED)}; an EvalPlus task (HumanEval+, MBPP+) has "
                    f"{', '.join(sorted(EVALPLUS_FIELDS))} (this record lacks {missing})")


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
