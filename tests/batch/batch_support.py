"""Helpers for the batch tests (imported by name: tests/batch is on sys.path)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from signoff.batch.task import Task


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    """One line per record; a string is written as it is (for bad lines)."""
    with path.open("w", encoding="utf-8") as file:
        for record in records:
            file.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def canonical(task: Task) -> dict[str, Any]:
    """The task's own reference, submitted as a sample."""
    return {"task_id": task.task_id, "solution": task.reference}


def judge(tasks: list[Task], records: Iterable[dict[str, Any] | str], folder: Path,
          **options: Any) -> dict[tuple[str, int], Any]:
    """Run a batch of ``records`` against ``tasks`` (nothing stored); results by (task_id, index)."""
    from signoff.batch.samples import load_samples
    from signoff.batch.scheduler import BatchOptions, run_batch

    folder.mkdir(parents=True, exist_ok=True)
    samples_path = write_jsonl(folder / "samples.jsonl", records)
    samples = load_samples(samples_path, tasks)
    settings = BatchOptions(**{"jobs": 2, "cache": None, **options})
    result = run_batch(tasks, samples, settings, folder=folder / "work")
    return {(r.task_id, r.index): r for r in result.results}
