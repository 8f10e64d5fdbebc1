"""Samples: candidate programs, one JSON object per line, any number per task.

A line is ``{"task_id": ..., "solution": "<whole program>"}`` or
``{"task_id": ..., "completion": "<body appended to the task's prompt>"}``,
the format HumanEval and EvalPlus read. A sample's ``index`` is its position
among the lines that name its task, in file order, from 0, so that
(task_id, index) points back into the file. Every line that cannot be judged
(not JSON, no task, an unknown task, no code) and every task without a sample
is a ``Problem``: reported, never fatal. Only a file that is missing, not
text, or has no JSON object at all is bad input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.batch.task import Task
from signoff.errors import SpecError
from signoff.jsonl import jsonl_lines

MAX_SHOWN = 60  # characters of a bad line quoted in its problem


@dataclass(frozen=True, slots=True)
class Sample:
    task_id: str
    index: int  # among the samples of its task, in file order, from 0
    source: str  # the whole program (a completion already joined to the prompt)
    line: int  # in the samples file, from 1

    @property
    def digest(self) -> str:
        """What identifies this sample's program across runs (for --resume)."""
        return hashlib.sha256(self.source.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.task_id}#{self.index}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A line or a task that could not be judged, and why."""

    message: str
    line: int | None = None
    task_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "task_id": self.task_id, "problem": self.message}


@dataclass
class Samples:
    by_task: dict[str, list[Sample]] = field(default_factory=dict)  # in task order
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0

    @property
    def count(self) -> int:
        return sum(len(samples) for samples in self.by_task.values())


def load_samples(path: Path, tasks: Sequence[Task], known: Collection[str] = ()) -> Samples:
    """The samples in ``path`` for ``tasks``; lines for a task in ``known`` but not in
    ``tasks`` (left out by --limit-tasks) are skipped without a problem."""
    selected = {task.task_id: task for task in tasks}
    found = Samples(by_task={task.task_id: [] for task in tasks})
    counters: dict[str, int] = {}
    objects = 0
    for number, text in jsonl_lines(path):
        found.lines += 1
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            found.problems.append(Problem(f"not JSON ({error.msg}): {_shown(text)}", number))
            continue
        if not isinstance(record, dict):
            found.problems.append(Problem(f"not a JSON object: {_shown(text)}", number))
            continue
        objects += 1
        task_id = record.get("task_id")
        if not isinstance(task_id, str):
            found.problems.append(Problem('no "task_id" (a string)', number))
            continue
        if task_id not in selected:
            if task_id not in known:
                found.problems.append(Problem("unknown task", number, task_id))
            continue
        index = counters.get(task_id, 0)
        counters[task_id] = index + 1
        code = _code(record)
        if code is not None:
            found.problems.append(Problem(f"sample {index}: {code}", number, task_id))
            continue
        source = selected[task_id].solution(record)
        found.by_task[task_id].append(Sample(task_id, index, source, number))
    if found.lines and not objects:
        raise SpecError(f"{path}: not JSONL: no line is a JSON object "
                        '(expected {"task_id": ..., "solution": ...} per line)')
    if not found.lines:
        raise SpecError(f"{path}: no samples in the file")
    for task_id, samples in found.by_task.items():
        if not samples:
            found.problems.append(Problem("no sample for this task", None, task_id))
    return found


def _code(record: dict[str, Any]) -> str | None:
    """Why the record has no program to judge; None when it has one."""
    solution, completion = record.get("solution"), record.get("completion")
    if solution is None and completion is None:
        return 'neither "solution" nor "completion"'
    if solution is not None and not isinstance(solution, str):
        return '"solution" is not a string'
    if solution is None and not isinstance(completion, str):
        return '"completion" is not a string'
    return None


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."
