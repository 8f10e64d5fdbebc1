"""Tasks with strategies and workloads from files: signoff's JSONL format and Python task files."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from batch_support import judge, write_jsonl

from signoff.batch.tasks import load_tasks
from signoff.errors import SpecError
from signoff.inputs import Call

REFERENCE = ("def largest(xs: list[int]) -> int | None:\n    return max(xs) if xs else None\n\n"
             "def make_input(n):\n    return [list(range(n))]\n")
TASK: dict[str, Any] = {"task_id": "Own/largest", "entry_point": "largest", "reference": REFERENCE,
                        "inputs": [[[1, 2, 3]], [[5]]]}
DROP = object()


def test_a_signoff_task_has_supplied_and_generated_inputs_and_a_workload(tmp_path):
    record = {**TASK, "plus_inputs": [[[-1, -2]]], "generate": True, "examples": 30, "atol": 1e-3,
              "prompt": "def largest(xs):\n", "workload": {"make": "make_input", "sizes": [10, 3]},
              "speed": {"at_most": 3, "budget": 5}}
    [task] = load_tasks(write_jsonl(tmp_path / "tasks.jsonl", [record]))
    assert task.base_inputs == (Call(([1, 2, 3],)), Call(([5],))) and task.plus_inputs == (Call(([-1, -2],)),)
    assert task.examples == 30 and task.prompt == "def largest(xs):\n"
    assert task.equal.same(1.0, 1.0005) and not task.equal.same(1.0, 1.01)
    assert task.workload is not None and task.workload.sizes == (3, 10)
    assert task.workload.build(3, random.Random(0)) == Call(([0, 1, 2],))
    assert task.speed is not None and task.speed.at_most == 3.0 and task.speed.budget_s == 5.0
    [plain] = load_tasks(write_jsonl(tmp_path / "plain.jsonl", [TASK]))
    assert plain.call_strategy is None and plain.workload is None and not plain.equal.same(1.0, 1.0005)


def test_generated_inputs_inferred_from_type_hints_find_what_the_supplied_ones_miss(tmp_path):
    [task] = load_tasks(write_jsonl(tmp_path / "tasks.jsonl", [{**TASK, "generate": True, "examples": 100}]))
    records = [{"task_id": "Own/largest", "solution": REFERENCE},
               {"task_id": "Own/largest", "solution": "def largest(xs):\n    return max(xs, default=0)\n"}]
    results = judge([task], records, tmp_path)
    right, wrong = results[("Own/largest", 0)], results[("Own/largest", 1)]
    assert right.verdict == "pass" and right.checks[-1].evidence["generated"] == 100
    assert wrong.plausible_but_wrong
    evidence = next(check for check in wrong.checks if check.verdict == "fail").evidence
    assert evidence["inputs"] == "generated" and evidence["input"] == "largest([])"


@pytest.mark.parametrize(("change", "message"), [
    ({"entry_point": 7}, '"entry_point": must be a non-empty string'),
    ({"entry_point": DROP}, '"entry_point": missing'),
    ({"workloads": {}}, '"workloads": unknown field'),
    ({"inputs": [1, 2]}, '"inputs": item 0 is 1, not a list of arguments'),
    ({"inputs": "[[1]]"}, '"inputs": must be a list of argument lists'),
    ({"generate": "yes"}, '"generate": must be true or false'),
    ({"examples": -1}, '"examples": must be an integer >= 0'),
    ({"atol": -0.1}, '"atol": must be a number >= 0'),
    ({"reference": "def largest(xs:\n", "generate": True},
     "the reference is not valid Python: '(' was never closed (line 1: def largest(xs:)"),
    ({"reference": "import no_such_module_here\n", "generate": True}, '"reference": running it raised'),
    ({"reference": "def largest(xs):\n    return xs\n", "generate": True},
     "\"generate\": cannot infer inputs for Own/largest:largest: no type hint for 'xs'"),
    ({"reference": "class P:\n    def __init__(self, a): pass\ndef largest(p: P) -> int:\n    return 1\n",
      "generate": True}, '"generate": no strategy for the arguments of largest'),
    ({"entry_point": "biggest", "generate": True},
     "\"entry_point\": the reference defines no function 'biggest'"),
    ({"workload": {"make": "build"}}, "\"workload.make\": the reference defines no function 'build'"),
    ({"workload": "make_input"}, '"workload": must be {"make"'),
    ({"workload": {"make": "make_input", "size": [1]}}, '"workload.size": unknown key'),
    ({"workload": {"make": "make_input", "sizes": [1, -1]}}, '"workload.sizes": must be a non-empty list'),
    ({"workload": {"make": "bare", "sizes": [1]}, "reference": REFERENCE + "def bare(n):\n    return n\n"},
     '"workload.make": bare(1) returned int, not a list of the call\'s arguments'),
    ({"workload": {"make": "make_input", "sizes": [0]}, "reference": REFERENCE + "def make_input(n):\n"
      "    return [[1] * (10 // n)]\n"}, '"workload.make": make_input(0) raised ZeroDivisionError'),
    ({"speed": {"at_most": 2}}, '"speed": a bound on the time needs sized inputs'),
    ({"speed": {"at_mots": 2}, "workload": {"make": "make_input"}}, '"speed.at_mots": unknown key'),
    ({"speed": {"at_most": -2}, "workload": {"make": "make_input"}}, '"speed": speed(at_most=...) must be'),
    ({"inputs": []}, "task Own/largest: no inputs"),
])
def test_a_mistake_is_one_line_naming_the_file_line_and_field(tmp_path, change, message):
    record = {key: value for key, value in {**TASK, **change}.items() if value is not DROP}
    path = write_jsonl(tmp_path / "tasks.jsonl", [{**TASK, "task_id": "Own/first"}, record])
    with pytest.raises(SpecError) as raised:
        load_tasks(path)
    text = str(raised.value)
    assert text.startswith(f"{path}:2: ") and message in text and "\n" not in text, text


def test_a_record_of_neither_format_names_both(tmp_path):
    with pytest.raises(SpecError, match=r"unknown task format: a signoff task has task_id, entry_point, "
                                        r"reference; an EvalPlus task"):
        load_tasks(write_jsonl(tmp_path / "tasks.jsonl", [{"task_id": "x", "entry_point": "f"}]))


TASK_FILE = '''
import signoff
from hypothesis import strategies as st
from signoff.batch import Task

REFERENCE = "def total(xs):\\n    return sum(xs)\\n"


def tasks():
    return [
        Task("Own/total", "total", REFERENCE, strategy=st.lists(st.integers()), examples=50,
             workload=signoff.workload(lambda n: list(range(n)), sizes=[10, 1000])),
        Task("Own/pair", "total", REFERENCE, base_inputs=(signoff.call([1]),),
             strategy=signoff.args(st.lists(st.integers(), max_size=3)), speed=None),
    ]
'''


def test_a_python_task_file_gives_real_strategies_and_workloads(tmp_path):
    path = tmp_path / "tasks.py"
    path.write_text(TASK_FILE)
    total, pair = load_tasks(path)
    assert total.workload is not None and total.workload.build(3, random.Random(0)) == Call(([0, 1, 2],))
    records = [{"task_id": "Own/total", "solution": "def total(xs):\n    return sum(xs)\n"},
               {"task_id": "Own/total", "solution": "def total(xs):\n    return sum(xs[:2])\n"},
               {"task_id": "Own/pair", "solution": "def total(xs):\n    return sum(xs[:2])\n"}]
    results = judge([total, pair], records, tmp_path / "run")
    assert results[("Own/total", 0)].verdict == "pass"
    assert [c.criterion for c in results[("Own/total", 0)].checks] == ["same_results", "speed"]
    wrong = results[("Own/total", 1)]
    assert wrong.verdict == "fail" and "generated inputs" in wrong.checks[0].summary
    assert len(wrong.checks) == 1  # a wrong sample is not timed
    assert results[("Own/pair", 0)].base_verdict == "pass" and results[("Own/pair", 0)].verdict == "fail"
    assert [t.task_id for t in load_tasks(path, limit=1)] == ["Own/total"]
    (tmp_path / "listed.py").write_text(TASK_FILE.replace("def tasks():\n    return", "TASKS ="))
    assert [t.task_id for t in load_tasks(tmp_path / "listed.py")] == ["Own/total", "Own/pair"]


@pytest.mark.parametrize(("text", "message"), [
    ("x = 1\n\ny = 1 / 0\n", r"tasks\.py:3: the file raised ZeroDivisionError"),
    ("x = (\n", r"tasks\.py:1: not valid Python"),
    ("from signoff.batch import Task\n\nTASKS = [Task('a', 'f', 'def f(): pass')]\n",
     r"tasks\.py:3: task a: no inputs"),
    ("TASKS = [{'task_id': 'a'}]\n", r"tasks\.py: TASKS\[0\] is dict .*, not a signoff.batch.Task"),
    ("TASKS = 'a'\n", r"tasks\.py: TASKS must be a list of signoff.batch.Task, not str"),
    ("def tasks():\n    return []\n", r"tasks\.py: tasks\(\) holds no tasks"),
    ("def tasks():\n    raise KeyError('k')\n", r"tasks\.py:2: tasks\(\) raised KeyError"),
    ("import signoff\nfrom signoff.batch import Task\n"
     "T = Task('a', 'f', 'x', base_inputs=(signoff.call(),))\nTASKS = [T, T]\n",
     r"TASKS\[1\]: task a appears twice"),
    ("X = 1\n", r"tasks\.py: defines neither TASKS .* nor a function tasks\(\)"),
    ("import signoff\nfrom signoff.batch import Task\n"
     "TASKS = [Task('a', 'f', 'x', base_inputs=(signoff.call(),),\n"
     "    speed=signoff.speed())]\n", r"tasks\.py:3: task a: speed needs sized inputs"),
])
def test_a_bad_python_task_file_is_one_line_with_the_line(tmp_path, text, message):
    path: Path = tmp_path / "tasks.py"
    path.write_text(text)
    with pytest.raises(SpecError, match=message) as raised:
        load_tasks(path)
    assert "\n" not in str(raised.value)


def test_a_task_past_the_limit_is_never_read(tmp_path):
    good = {"task_id": "Own/1", "entry_point": "f", "inputs": [[1]], "reference": "def f(x):\n    return x\n"}
    path = write_jsonl(tmp_path / "tasks.jsonl", [good, {"task_id": "Own/2", "entry_point": "not a name",
                                                         "reference": "", "inputs": [[1]]}])
    assert [t.task_id for t in load_tasks(path, limit=1)] == ["Own/1"]
    with pytest.raises(SpecError, match="tasks.jsonl:2"):
        load_tasks(path)
