"""Importing EvalPlus tasks: inputs as EvalPlus builds them, comparison as EvalPlus compares."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from batch_support import write_jsonl

from signoff.batch import evalplus
from signoff.batch.task import Task
from signoff.batch.tasks import load_tasks
from signoff.equality import Exact, Opaque
from signoff.errors import SpecError
from signoff.inputs import Call


def test_humaneval_plus_imports_every_task_with_its_inputs(humaneval):
    assert len(humaneval) == 164
    task = humaneval["HumanEval/0"]
    assert task.entry_point == "has_close_elements"
    assert task.reference.startswith(task.prompt) and "sorted_numbers" in task.reference
    assert task.base_inputs[0] == Call(([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3))
    assert len(task.base_inputs) == 7 and len(task.plus_inputs) > 500
    assert task.equal.describe() == "close(rel=1e-07, abs=1e-06)"  # EvalPlus's float default
    assert humaneval["HumanEval/2"].equal.describe() == "close(rel=1e-07, abs=1e-06)"
    assert humaneval["HumanEval/32"].oracle == "find_zero" and humaneval["HumanEval/32"].atol == 1e-4


def test_mbpp_plus_inputs_get_the_types_evalplus_gives_them(mbpp):
    assert len(mbpp) == 378
    assert mbpp["Mbpp/2"].base_inputs[0] == Call(((3, 4, 5, 6), (5, 7, 4, 10)))  # tuples, not lists
    assert mbpp["Mbpp/2"].oracle == "set_equal"
    assert all(type(arg) is complex for call in mbpp["Mbpp/252"].base_inputs for arg in call.args)
    first, second = mbpp["Mbpp/124"].base_inputs[0].args
    assert type(first) is float and type(second) is complex
    heights = mbpp["Mbpp/722"].base_inputs[0].args[0]
    assert heights["Cierra Vega"] == (6.2, 70)  # a dict of tuples
    assert type(mbpp["Mbpp/445"].base_inputs[0].args[0][0]) is tuple
    assert mbpp["Mbpp/793"].plus_inputs == ()  # shipped as {}: no plus inputs
    assert mbpp["Mbpp/737"].oracle == "not_none" and mbpp["Mbpp/581"].oracle == "surface_area"


def test_oracles_accept_every_right_answer_and_only_those():
    assert evalplus.accepts("find_zero", ([-6, 11, -6, 1],), 1.0, 3.0, 1e-4)  # another root
    assert not evalplus.accepts("find_zero", ([-6, 11, -6, 1],), 1.0, 2.5, 1e-4)
    assert not evalplus.accepts("find_zero", ([-6, 11, -6, 1],), 1.0, "3", 1e-4)
    assert evalplus.accepts("set_equal", ((1, 2), (2, 3)), (2,), [2], 0.0)
    assert not evalplus.accepts("set_equal", ((1, 2), (2, 3)), (2,), [3], 0.0)
    match = Opaque("re.Match", None)
    assert evalplus.accepts("not_none", ("annie",), match, True, 0.0)
    assert evalplus.accepts("not_none", ("dawood",), None, False, 0.0)
    assert not evalplus.accepts("not_none", ("dawood",), None, match, 0.0)
    # Mbpp/581: the height read as the pyramid's (35), not the slant height (33, the reference's)
    assert evalplus.accepts("surface_area", (3, 4), 33, 35, 0.0)
    assert not evalplus.accepts("surface_area", (3, 4), 33, 34, 0.0)
    assert evalplus.accepts("digit_distance", (123, 56), 7, 7, 0.0)
    assert not evalplus.accepts("digit_distance", (123, 56), 7, 8, 0.0)
    assert not evalplus.accepts("set_equal", (), [1], [[1]], 0.0)  # unhashable: not right


def test_float_closeness_is_numpy_allclose_like_and_types_stay_exact():
    close = evalplus.close(0)
    assert close.same(0.1 + 0.2, 0.3) and close.same([1e-9], [0.0])  # rounding noise is no bug
    assert not close.same(0.5, 0.51)
    assert not close.same(1, 1.0) and not close.same(True, 1)  # signoff's exact types
    assert evalplus.close(1e-4).describe() == "close(rel=1e-07, abs=0.0001)"


def test_bad_task_files_are_usage_errors(tmp_path):
    with pytest.raises(SpecError, match="file not found"):
        load_tasks(tmp_path / "missing.jsonl")
    record = {"task_id": "T/1", "prompt": "", "entry_point": "f", "canonical_solution": "def f(x): return x",
              "base_input": [[1]], "plus_input": []}
    with pytest.raises(SpecError, match=r"bad\.jsonl:2: not JSONL"):
        load_tasks(write_jsonl(tmp_path / "bad.jsonl", [record, "{oops"]))
    with pytest.raises(SpecError, match="unknown task format"):
        load_tasks(write_jsonl(tmp_path / "other.jsonl", [{"task_id": "x", "question": "?"}]))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match="binary.jsonl"):
        load_tasks(binary)


def test_a_gzipped_file_of_own_tasks_loads_and_a_duplicate_is_refused(tmp_path):
    record = {"task_id": "T/1", "prompt": "", "entry_point": "f", "canonical_solution": "def f(x): return x",
              "base_input": [[1]], "plus_input": [[2], [3]], "atol": 0}
    path = tmp_path / "tasks.jsonl.gz"
    with gzip.open(path, "wt") as file:
        file.write(json.dumps(record) + "\n")
    [task] = load_tasks(path)
    assert task.plus_inputs == (Call((2,)), Call((3,)))
    with pytest.raises(SpecError, match="appears twice"):
        load_tasks(write_jsonl(tmp_path / "twice.jsonl", [record, record]))


def test_a_task_needs_a_function_name_and_inputs():
    with pytest.raises(SpecError, match="not a function name"):
        Task("T/1", "not a name", "def f(): pass", base_inputs=(Call(()),))
    with pytest.raises(SpecError, match="no inputs"):
        Task("T/1", "f", "def f(): pass")
    task = Task("T/1", "f", "def f(x): return x", prompt="def f(x):\n", base_inputs=(Call((1,)),))
    assert isinstance(task.equal, Exact)
    assert task.solution({"completion": "    return x\n"}) == "def f(x):\n    return x\n"
    assert task.solution({"solution": "whole", "completion": "ignored"}) == "whole"


def test_limit_takes_the_first_tasks(humaneval_path: Path):
    assert [t.task_id for t in load_tasks(humaneval_path, limit=3)] == [
        "HumanEval/0", "HumanEval/1", "HumanEval/2"]
