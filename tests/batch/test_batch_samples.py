"""The samples file: problems are collected, never fatal; indices follow the file."""

from __future__ import annotations

import pytest
from batch_support import write_jsonl

from signoff.batch.samples import load_samples
from signoff.batch.task import Task
from signoff.errors import SpecError
from signoff.inputs import Call

TASKS = [Task("T/1", "f", "def f(x):\n    return x\n", prompt="def f(x):\n", base_inputs=(Call((1,)),)),
         Task("T/2", "g", "def g(x):\n    return x\n", base_inputs=(Call((1,)),)),
         Task("T/3", "h", "def h(x):\n    return x\n", base_inputs=(Call((1,)),))]


def test_every_bad_line_and_every_task_without_a_sample_is_a_problem(tmp_path):
    path = write_jsonl(tmp_path / "samples.jsonl", [
        {"task_id": "T/1", "completion": "    return x\n"},
        "{not json",
        {"task_id": "T/2", "solution": "def g(x):\n    return x\n"},
        {"task_id": "Other/9", "solution": "x = 1"},
        "[1, 2]",
        {"solution": "def f(x): return x"},
        {"task_id": "T/1", "solution": 42},
        {"task_id": "T/1", "solution": "def f(x):\n    return 2 * x\n"},
        {"task_id": "Skipped/1", "solution": "pass"},
    ])
    found = load_samples(path, TASKS, known={"Skipped/1"})
    [first, second] = found.by_task["T/1"]
    assert (first.index, first.line, first.source) == (0, 1, "def f(x):\n    return x\n")
    assert (second.index, second.line) == (2, 8)  # line 7 named T/1 too: it keeps its index 1
    assert [s.index for s in found.by_task["T/2"]] == [0]
    problems = [(p.line, p.task_id, p.message) for p in found.problems]
    assert problems[0][:2] == (2, None) and problems[0][2].startswith("not JSON")
    assert (4, "Other/9", "unknown task") in problems
    assert problems[2][:2] == (5, None) and "not a JSON object" in problems[2][2]
    assert (6, None, 'no "task_id" (a string)') in problems
    assert (7, "T/1", 'sample 1: "solution" is not a string') in problems
    assert (None, "T/3", "no sample for this task") in problems
    assert not any(p.task_id == "Skipped/1" for p in found.problems)  # left out by --limit-tasks
    assert found.count == 3 and first.digest != second.digest


def test_a_file_that_is_not_jsonl_at_all_is_bad_input(tmp_path):
    with pytest.raises(SpecError, match="file not found"):
        load_samples(tmp_path / "missing.jsonl", TASKS)
    with pytest.raises(SpecError, match="not JSONL"):
        load_samples(write_jsonl(tmp_path / "text.jsonl", ["hello", "world"]), TASKS)
    with pytest.raises(SpecError, match="no samples"):
        load_samples(write_jsonl(tmp_path / "empty.jsonl", []), TASKS)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x00\xff\xfe\x80")
    with pytest.raises(SpecError, match="not JSONL"):
        load_samples(binary, TASKS)
