"""Shared data for the batch tests: the EvalPlus task sets in ../shared/data/evalplus."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.batch.task import Task
from signoff.batch.tasks import load_tasks

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "evalplus"
HUMANEVAL = DATA / "HumanEvalPlus.jsonl.gz"
MBPP = DATA / "MbppPlus.jsonl.gz"


def _require(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"EvalPlus data not found at {path}")
    return path


@pytest.fixture(scope="session")
def humaneval_path() -> Path:
    return _require(HUMANEVAL)


@pytest.fixture(scope="session")
def mbpp_path() -> Path:
    return _require(MBPP)


@pytest.fixture(scope="session")
def humaneval(humaneval_path: Path) -> dict[str, Task]:
    return {task.task_id: task for task in load_tasks(humaneval_path)}


@pytest.fixture(scope="session")
def mbpp(mbpp_path: Path) -> dict[str, Task]:
    return {task.task_id: task for task in load_tasks(mbpp_path)}
