"""Cost measured as instructions counted under Valgrind's Callgrind: real Valgrind, no mocks of it.

Counts barely vary, so unlike timings (tests/test_cost.py) their verdicts can be asserted
on modest margins: a candidate doing three times the work, a quadratic one.
"""

from __future__ import annotations

import json
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import signoff
from signoff.checking import counting_instructions
from signoff.criteria.scaling import counted_evidence, counted_summary
from signoff.errors import SpecError
from signoff.report.html import render_html
from signoff.runner import instructions
from signoff.runner.measure import Count, Fault, count_calls
from signoff.runner.process import Limits, counting_worker
from signoff.targets import parse_target
from signoff.verdict import CandidateResult, CheckResult, RunResult

ROOT = Path(__file__).resolve().parents[1]
COUNTED = Path(__file__).parent / "gallery" / "counted.py"


def target(name: str) -> str:
    return f"{COUNTED}:{name}"


def make_list(n, rng):
    return [rng.randrange(1000) for _ in range(n)]


def case(*args: object) -> bytes:
    return pickle.dumps((args, {}))


def run(candidates: list[str], criteria, sizes) -> list[dict[str, CheckResult]]:
    spec = signoff.Spec(reference=target("total"), criteria=criteria,
                        workload=signoff.workload(make_list, sizes=sizes))
    result = signoff.check(spec, [target(c) for c in candidates], signoff.RunOptions(seed=5))
    return [{check.criterion: check for check in candidate.checks} for candidate in result.candidates]


def signoff_cli(*args: str, path: str = "/usr/bin:/bin") -> subprocess.CompletedProcess[str]:
    """The command as tests/test_cli.py runs it; ``path``: where programs (valgrind) are looked up."""
    return subprocess.run([sys.executable, "-m", "signoff", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"NO_COLOR": "1", "COLUMNS": "200", "PATH": path})


def without(tool: str):
    """shutil.which as if ``tool`` were not installed."""
    which = shutil.which

    def lookup(name: str, *args: object, **kwargs: object) -> str | None:
        return None if name == tool else which(name, *args, **kwargs)

    return lookup


@pytest.mark.slow
def test_a_linear_function_counts_linearly_and_the_same_call_counts_the_same():
    worker = counting_worker(parse_target(target("total")), Limits(), {})
    assert worker.start() is None
    try:
        small = [count_calls(worker, case(list(range(1000))), 3, 100.0) for _ in range(2)]
        large = count_calls(worker, case(list(range(8000))), 3, 100.0)
    finally:
        worker.close()
    assert isinstance(large, Count) and all(isinstance(c, Count) for c in small)
    first, second = (c.per_call for c in small if isinstance(c, Count))
    assert abs(first - second) / first < 0.01
    assert 4 < large.per_call / first < 16
    assert large.region > large.overhead > 0


@pytest.mark.slow
def test_a_growing_list_counts_the_same_whatever_the_heap_held_before():
    # Whether realloc grows a block in place or copies it depends on the heap's history; a list
    # of 4,000 lookups counted 3% apart in one worker before realloc was left out of counts.
    keys = list(range(4000))
    lookups = case(dict.fromkeys(keys, 1), keys)
    rng = random.Random(7)
    holes = case({}, [], [rng.randrange(64, 200_000) for _ in range(200)])
    counts = []
    for history in ([], [holes]):
        worker = counting_worker(parse_target(target("doubled")), Limits(), {})
        assert worker.start() is None
        try:
            for before in history:
                assert isinstance(count_calls(worker, before, 1, 100.0), Count)
            counts += [count_calls(worker, lookups, 3, 100.0) for _ in range(3)]
        finally:
            worker.close()
    per_call = [c.per_call for c in counts if isinstance(c, Count)]
    assert len(per_call) == 6
    assert (max(per_call) - min(per_call)) / min(per_call) < 0.005, per_call


@pytest.mark.slow
def test_the_address_space_limit_still_binds_under_valgrind():
    worker = counting_worker(parse_target(target("allocate")), Limits(memory_bytes=256 << 20), {})
    assert worker.start() is None
    try:
        fine = count_calls(worker, case(10 << 20), 1, 100.0)
        hog = count_calls(worker, case(2 << 30), 1, 100.0)
        after = count_calls(worker, case(1 << 20), 1, 100.0)
    finally:
        worker.close()
    assert isinstance(fine, Count)
    assert isinstance(hog, Fault) and hog.status == "memory", hog
    assert isinstance(after, Count)  # a fresh worker took over


@pytest.mark.slow
def test_speed_in_instructions_passes_the_same_function_and_fails_three_times_the_work():
    same, thrice = run(["total", "total_thrice"], [signoff.speed(at_most=1.2, measure="instructions")],
                       sizes=(500, 1000))
    assert same["speed"].verdict == "pass", same["speed"].summary
    assert thrice["speed"].verdict == "fail", thrice["speed"].summary
    evidence = thrice["speed"].evidence
    assert evidence["measure"] == "instructions" and 2.5 < evidence["ratio"] < 3.5
    assert "pair_seconds" not in evidence and "clock_forged" not in evidence
    reference, candidate = evidence["pair_instructions"][0]
    assert reference > 10_000 and candidate > 2.5 * reference
    assert "instructions" in thrice["speed"].summary and "time" not in thrice["speed"].summary


@pytest.mark.slow
def test_scaling_in_instructions_fails_a_quadratic_candidate_and_passes_the_same_function():
    same, quadratic = run(["total", "total_quadratic"], [signoff.scaling(measure="instructions", repeats=3)],
                          sizes=signoff.doubling(4, 512))
    assert same["scaling"].verdict == "pass", same["scaling"].summary
    assert quadratic["scaling"].verdict == "fail", quadratic["scaling"].summary
    evidence = quadratic["scaling"].evidence
    assert evidence["measure"] == "instructions" and evidence["reference_class"] == "O(n)"
    assert "reference_seconds" not in evidence and len(evidence["candidate_instructions"]) == 8
    assert evidence["candidate_instructions"][-1] > 10 * evidence["reference_instructions"][-1]
    assert "time" not in quadratic["scaling"].summary


@pytest.mark.parametrize("make", [lambda m: signoff.speed(measure=m), lambda m: signoff.scaling(measure=m)])
@pytest.mark.parametrize("measure", ["bogus", None, "Instructions"])
def test_a_measure_other_than_time_or_instructions_is_refused(make, measure):
    with pytest.raises(SpecError, match=r"must be one of 'time', 'instructions', not"):
        make(measure)


def test_without_valgrind_counting_says_which_package_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", without("valgrind"))
    spec = signoff.Spec(reference=target("total"), criteria=[signoff.speed(measure="instructions")],
                        workload=signoff.workload(make_list, sizes=(10,)))
    with pytest.raises(SpecError) as raised:
        signoff.check(spec, [target("total")])
    assert str(raised.value) == ("measure='instructions' needs Valgrind: install the Debian package valgrind "
                                 "(apt-get install valgrind)")


def test_without_gcc_counting_says_which_package_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", without("gcc"))
    monkeypatch.setattr(instructions, "_helper", None)  # built by an earlier test: build it again
    with pytest.raises(SpecError, match=r"install the Debian package gcc \(apt-get install gcc\)"):
        instructions.require()


def test_the_option_switches_every_speed_and_scaling_criterion_to_instructions():
    spec = signoff.Spec(reference=target("total"), criteria=[signoff.same_results(), signoff.speed(),
                                                              signoff.scaling(), signoff.memory()],
                        workload=signoff.workload(make_list, sizes=signoff.doubling(4, 512)))
    switched = counting_instructions(spec)
    assert [getattr(c, "measure", None) for c in switched.criteria] == [None, "instructions", "instructions",
                                                                         None]
    assert [getattr(c, "measure", None) for c in spec.criteria] == [None, "time", "time", None]


def test_a_dump_total_is_its_totals_line():
    dump = b"version: 1\ncmd: python\nevents: Ir\nsummary: 4321\n\nfn=(1) main\n3 17\ntotals: 4321\n"
    assert instructions.parse_total(dump) == 4321
    with pytest.raises(ValueError):
        instructions.parse_total(b"events: Ir\n")


def test_reports_call_counted_instructions_instructions_never_seconds():
    sizes = [2**k for k in range(2, 10)]
    speed = CheckResult("speed", "fail", "3x the reference's instructions at size 1000", {
        "measure": "instructions", "ratio": 3.0, "ci95": [2.99, 3.01], "at_most": 1.2, "pairs": 16,
        "pair_instructions": [[1000.0, 3000.0]] * 16})
    scaling = CheckResult("scaling", "fail", "falls behind", {
        "measure": "instructions", "sizes": sizes, "reference_instructions": [100.0 * n for n in sizes],
        "candidate_instructions": [n * n + 100.0 * n for n in sizes]})
    html = render_html(RunResult("ref.py:f", 1, (CandidateResult("cand.py:f", (speed, scaling)),)))
    assert "candidate/reference instructions per pair" in html
    assert "instructions per call against input size" in html and "Median instructions per call" in html
    assert "seconds per call" not in html and "No per-pair" not in html


def test_measure_bogus_on_the_command_line_is_one_line_and_exit_2():
    run = signoff_cli("check", "--reference", target("total"), "-c", target("total"), "--measure", "bogus")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "--measure: invalid choice: 'bogus'" in run.stderr


def write_spec(folder: Path) -> Path:
    spec = folder / "spec.py"
    spec.write_text(
        "import signoff\n\n\n"
        "def make(n, rng):\n    return [rng.randrange(1000) for _ in range(n)]\n\n\n"
        f"spec = signoff.Spec(reference={target('total')!r},\n"
        "                    workload=signoff.workload(make, sizes=(500, 1000)),\n"
        "                    criteria=[signoff.same_results(examples=5), signoff.speed(at_most=1.2)])\n")
    return spec


def test_measure_instructions_without_valgrind_on_the_command_line_is_exit_2(tmp_path):
    run = signoff_cli("check", str(write_spec(tmp_path)), "--measure", "instructions",
                      "-c", target("total"), "--no-store", path=str(tmp_path))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "install the Debian package valgrind" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_measure_instructions_on_the_command_line_counts_the_spec_s_speed(tmp_path):
    report = tmp_path / "report.json"
    run = signoff_cli("check", str(write_spec(tmp_path)), "--measure", "instructions", "--seed", "3",
                      "-c", target("total_thrice"), "--json", str(report), "--no-store")
    assert run.returncode == 1, run.stdout + run.stderr
    [candidate] = json.loads(report.read_text())["candidates"]
    speed = {check["criterion"]: check for check in candidate["checks"]}["speed"]
    assert speed["verdict"] == "fail" and speed["evidence"]["measure"] == "instructions"
    assert "instructions at size 1000" in speed["summary"] and "instructions" in run.stdout


def test_growth_sentences_about_time_speak_of_instructions_when_counted():
    stopped = "one call took the candidate 2.31 s at size 512 (90x the reference's); larger sizes not run"
    evidence = counted_evidence({"reference_seconds": [1e-6, 2e-6], "candidate_seconds": [1e-6, 4e-6],
                                 "reference_fit": {"best": "O(n)", "coefficients": {"O(n)": [1e-7, 2e-6]}},
                                 "stopped": stopped, "ratio_at_largest": 2.0})
    assert evidence["measure"] == "instructions" and "reference_seconds" not in evidence
    assert evidence["reference_instructions"] == [1000.0, 2000.0]
    assert evidence["reference_fit"]["coefficients"]["O(n)"] == pytest.approx([100.0, 2000.0])
    assert evidence["stopped"].startswith("one call of the candidate counted 2.31e+09 instructions at size")
    assert evidence["ratio_at_largest"] == 2.0
    summary = counted_summary("the candidate's time explodes: 1,200x the reference's at size 64; from size 4 "
                              "to size 64 its time grew 900x; 3x the reference's time at size 64")
    assert "time" not in summary and "instruction count explodes" in summary
