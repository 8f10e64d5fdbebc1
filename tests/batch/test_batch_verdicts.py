"""Verdicts per sample, with real workers: A/A on the canonical solutions, planted flaws caught."""

from __future__ import annotations

import pytest
from batch_support import canonical, judge

from signoff.batch.evalplus import close
from signoff.batch.task import Task
from signoff.inputs import Call

AA_HUMANEVAL = [f"HumanEval/{n}" for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 26, 32, 38, 50)]
# Tuples, dicts of tuples, complex numbers, regular-expression matches, special oracles, no plus inputs.
AA_MBPP = [f"Mbpp/{n}" for n in (2, 7, 124, 252, 445, 558, 581, 722, 737, 787, 793, 794)]


def test_canonical_solutions_as_samples_all_pass(humaneval, mbpp, tmp_path):
    tasks = [humaneval[t] for t in AA_HUMANEVAL] + [mbpp[t] for t in AA_MBPP if t in mbpp]
    results = judge(tasks, [canonical(task) for task in tasks], tmp_path)
    assert len(results) == len(tasks)
    failed = {key: [c.summary for c in r.checks] for key, r in results.items() if r.verdict != "pass"}
    assert not failed
    assert all(r.base_verdict == "pass" and len(r.checks) == (2 if r.task_id != "Mbpp/793" else 1)
               for r in results.values())


PLANTED = {
    # right on the base inputs (at most 6 numbers), wrong on longer plus inputs
    "HumanEval/0": {"completion": "    if len(numbers) > 10:\n        return False\n"
                                  "    s = sorted(numbers)\n"
                                  "    return any(b - a < threshold for a, b in zip(s, s[1:]))\n"},
    "HumanEval/34": {"completion": "    l.sort()\n    return sorted(set(l))\n"},  # sorts the caller's list
    "HumanEval/2": {"completion": "    while True:\n        pass\n"},  # hangs
    "HumanEval/3": {"completion": "    import os\n    os._exit(3)\n"},  # the process dies
    "HumanEval/5": {"solution": "def intersperse(numbers, delimeter):\n    return [\n"},  # no valid Python
    "HumanEval/6": {"solution": "def parse_parens(text):\n    return []\n"},  # not the entry point
    "HumanEval/8": {"completion": "    return [0] * 10**10\n"},  # more memory than the limit
    "HumanEval/9": {"completion": "    import random\n    return [random.random() for _ in numbers]\n"},
    # too slow on the long plus inputs only
    "HumanEval/7": {"completion": "    if len(strings) > 6:\n        import time\n        time.sleep(30)\n"
                                  "    return [s for s in strings if substring in s]\n"},
    # float noise only: a different order of summation
    "HumanEval/4": {"completion": "    import statistics\n    m = statistics.fmean(numbers)\n"
                                  "    return statistics.fmean([abs(m - x) for x in reversed(numbers)])\n"},
}


@pytest.fixture(scope="module")
def planted(humaneval, tmp_path_factory):
    tasks = [humaneval[t] for t in PLANTED]
    records = [{"task_id": task_id, **sample} for task_id, sample in PLANTED.items()]
    return judge(tasks, records, tmp_path_factory.mktemp("planted"), timeout_s=1.0)


def _failing(result):
    [check] = [c for c in result.checks if c.verdict == "fail"]
    return check


def test_a_sample_right_on_the_base_inputs_only_is_plausible_but_wrong(planted):
    result = planted[("HumanEval/0", 0)]
    assert result.base_verdict == "pass" and result.verdict == "fail" and result.plausible_but_wrong
    evidence = _failing(result).evidence
    assert evidence["inputs"] == "plus" and evidence["kind"] == "value"
    assert evidence["candidate"]["value"] == "False" and evidence["reference"]["value"] == "True"
    assert evidence["input"].startswith("has_close_elements([") and evidence["input_index"] >= 0
    assert evidence["replay"].startswith("signoff replay --reference ")


def test_too_slow_on_plus_inputs_is_a_timeout_there(planted):
    result = planted[("HumanEval/7", 0)]
    assert result.plausible_but_wrong and _failing(result).evidence["kind"] == "timeout"


@pytest.mark.parametrize(("task_id", "kind"), [
    ("HumanEval/34", "mutation"), ("HumanEval/2", "timeout"), ("HumanEval/3", "crash"),
    ("HumanEval/8", "memory"), ("HumanEval/9", "value"),
])
def test_a_flaw_the_base_inputs_show_fails_there_with_its_kind(planted, task_id, kind):
    result = planted[(task_id, 0)]
    assert result.base_verdict == "fail" and result.verdict == "fail"
    check = _failing(result)
    assert check.evidence["inputs"] == "base" and check.evidence["kind"] == kind, check.summary
    assert len(result.checks) == 1  # the plus inputs are not run: the verdict is decided


def test_a_sample_that_cannot_load_fails_with_the_cause(planted):
    syntax = _failing(planted[("HumanEval/5", 0)])
    assert syntax.evidence["load_failure"] == "import_failed" and "SyntaxError" in syntax.summary
    missing = _failing(planted[("HumanEval/6", 0)])
    assert missing.evidence["load_failure"] == "not_found"
    assert "no function parse_nested_parens" in missing.summary


def test_float_rounding_noise_is_not_a_failure(planted):
    assert planted[("HumanEval/4", 0)].verdict == "pass"


def test_an_oracle_accepts_another_right_answer(humaneval, tmp_path):
    """HumanEval/32 asks for a zero of a polynomial: any zero is right, as EvalPlus has it."""
    original = humaneval["HumanEval/32"]
    task = Task("HumanEval/32", "find_zero", original.reference, original.prompt,
                base_inputs=(Call(([-6, 11, -6, 1],)),), plus_inputs=(Call(([-6, 11, -6, 1],)),),
                equal=close(1e-4), atol=1e-4, oracle="find_zero")  # zeros at 1, 2 and 3
    records = [{"task_id": task.task_id, "completion": "    return 3.0\n"},
               {"task_id": task.task_id, "completion": "    return 2.5\n"},
               {"task_id": task.task_id, "completion": "    xs.append(0)\n    return 1.0\n"}]
    results = judge([task], records, tmp_path)
    assert results[("HumanEval/32", 0)].verdict == "pass"
    assert _failing(results[("HumanEval/32", 1)]).evidence["kind"] == "value"
    assert _failing(results[("HumanEval/32", 2)]).evidence["kind"] == "mutation"  # still judged


def test_mbpp_oracles_accept_what_evalplus_accepts(mbpp, tmp_path):
    tasks = [mbpp["Mbpp/2"], mbpp["Mbpp/737"]]
    records = [
        {"task_id": "Mbpp/2",
         "solution": "def similar_elements(a, b):\n    return sorted(set(a) & set(b))\n"},
        {"task_id": "Mbpp/737", "solution": "import re\ndef check_str(string):\n"
                                           "    return bool(re.match('[aeiouAEIOU]', string))\n"},
        {"task_id": "Mbpp/737", "solution": "def check_str(string):\n    return string\n"},
    ]
    results = judge(tasks, records, tmp_path)
    assert results[("Mbpp/2", 0)].verdict == "pass"
    assert results[("Mbpp/737", 0)].verdict == "pass"
    assert results[("Mbpp/737", 1)].verdict == "fail"


def test_samples_of_one_task_share_its_reference_and_keep_their_order(humaneval, tmp_path):
    task = humaneval["HumanEval/13"]
    records = [canonical(task), {"task_id": task.task_id, "completion": "    return 1\n"}, canonical(task)]
    results = judge([task], records, tmp_path, jobs=1)
    assert [results[(task.task_id, i)].verdict for i in range(3)] == ["pass", "fail", "pass"]


@pytest.mark.slow
def test_every_humaneval_plus_canonical_solution_passes(humaneval, tmp_path):
    """The A/A test of batch over all 164 tasks (about 80 s on 2 cores)."""
    tasks = list(humaneval.values())
    results = judge(tasks, [canonical(task) for task in tasks], tmp_path)
    failed = {key: [c.summary for c in r.checks] for key, r in results.items() if r.verdict != "pass"}
    assert len(results) == 164 and not failed


def test_generated_inputs_find_what_the_supplied_ones_miss(tmp_path):
    """A task with a strategy: the sample is also judged on generated inputs, shrunk to a minimal one."""
    from hypothesis import strategies as st

    reference = "def largest(xs):\n    return max(xs) if xs else None\n"
    task = Task("Own/1", "largest", reference, base_inputs=(Call(([1, 2, 3],)), Call(([5],))),
                strategy=st.lists(st.integers()).map(lambda xs: Call((xs,))), examples=100)
    records = [{"task_id": "Own/1", "solution": reference},
               {"task_id": "Own/1", "solution": "def largest(xs):\n    return max(xs, default=0)\n"}]
    results = judge([task], records, tmp_path)
    right, wrong = results[("Own/1", 0)], results[("Own/1", 1)]
    assert right.verdict == "pass" and right.checks[-1].evidence["generated"] == 100
    assert wrong.plausible_but_wrong
    evidence = _failing(wrong).evidence
    assert evidence["inputs"] == "generated" and evidence["input"] == "largest([])"


def test_a_second_batch_reuses_the_references_outcomes(humaneval, tmp_path, monkeypatch):
    from signoff.runner.process import Worker

    tasks = [humaneval[f"HumanEval/{n}"] for n in (0, 1, 32)]
    records = [canonical(task) for task in tasks] + [
        {"task_id": "HumanEval/0", "completion": "    return True\n"}]
    started: list[str] = []
    start = Worker.start

    def counting(self: Worker):
        started.append(self.target.module)
        return start(self)

    monkeypatch.setattr(Worker, "start", counting)
    cache = tmp_path / "cache"
    first = judge(tasks, records, tmp_path / "first", cache=cache)
    assert started.count("reference") == 3 and len(list(cache.glob("*.outcomes"))) == 3
    started.clear()
    again = judge(tasks, records, tmp_path / "again", cache=cache)
    assert "reference" not in started and started.count("candidate") == 4
    assert {k: (r.verdict, [c.summary for c in r.checks]) for k, r in again.items()} == {
        k: (r.verdict, [c.summary for c in r.checks]) for k, r in first.items()}
