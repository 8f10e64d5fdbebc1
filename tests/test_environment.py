"""Every report says what machine the run was measured on: its load before and after, the noise.

The capture itself (Python, packages, git) is tested in tests/test_store.py; here: the load
average and the noise figure added to it, its words in the reports, and the run pipeline that
puts it in the JSON and HTML reports, the terminal footer and the store.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from signoff.cli.run import Outcome, Plan, Run
from signoff.environment import capture_environment, completed, load_average, measured_on
from signoff.report.html import render_html
from signoff.report.terminal import measured_on_line, print_run
from signoff.store import Store
from signoff.verdict import CandidateResult, CheckResult, RunResult

GALLERY = Path(__file__).parent / "gallery"
HAS_LOAD = hasattr(os, "getloadavg")

ENVIRONMENT: dict[str, Any] = {
    "python": {"version": "3.12.1"},
    "cpu": {"model": "Intel(R) Xeon(R) Platinum 8375C", "count": 8, "available": 2},
    "timer": {"resolution_s": 1e-09},
    "packages": {"signoff": "0.4.0"},
    "git": {"commit": "abc1234def5678", "dirty": True},
    "load_average": {"before": [3.91, 2.0, 1.0], "after": [4.2, 2.1, 1.0]},
    "noise": 0.08,
}


def _check(noise: object = None, criterion: str = "speed") -> CheckResult:
    evidence = {"ratio": 1.1} if noise is None else {"ratio": 1.1, "noise": noise}
    return CheckResult(criterion, "pass", "as fast", evidence)


def _run(*checks: CheckResult, environment: dict[str, Any] | None = None) -> RunResult:
    half = (len(checks) + 1) // 2  # two candidates (one for one check): the noise is over all
    candidates = (CandidateResult("a.py:f", checks[:half]), CandidateResult("b.py:f", checks[half:]))
    return RunResult("ref.py:f", 7, tuple(c for c in candidates if c.checks), environment=environment)


# -- the noise figure --------------------------------------------------------------------------


def test_the_runs_noise_is_the_largest_noise_of_any_check_of_any_candidate() -> None:
    run = _run(_check(0.03), _check(None, "same_results"), _check(0.08), _check(0.05, "scaling"))
    assert run.noise == 0.08
    assert _run(_check(0.2), _check(0.01)).noise == 0.2  # the first candidate's counts too


def test_no_noise_without_a_check_that_measured_one_and_odd_values_are_not_one() -> None:
    assert _run(_check(), _check(None, "memory")).noise is None
    assert RunResult("ref.py:f", 1, ()).noise is None
    odd = _run(_check(True), _check("0.9"), _check(math.nan), _check(math.inf), _check(-0.5),
               _check([0.7]), _check(0.04))
    assert odd.noise == 0.04
    odd_evidence = CheckResult("speed", "pass", "", "x")  # type: ignore[arg-type]
    weird = RunResult("r:f", 1, (CandidateResult("c:f", (odd_evidence,)),))
    assert weird.noise is None  # evidence that is not a mapping (an odd report read back)


# -- the record --------------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_LOAD, reason="the platform keeps no load average")
def test_the_load_average_is_recorded_before_and_completed_after(tmp_path: Path) -> None:
    env = capture_environment(tmp_path)
    before = env["load_average"]["before"]
    assert len(before) == 3 and all(isinstance(x, float) and x >= 0 for x in before)
    after = load_average()
    assert after is not None and len(after) == 3
    done = completed(env, load_after=after, noise=0.12)
    assert done["load_average"] == {"before": before, "after": after}
    assert done["noise"] == 0.12
    assert "after" not in env["load_average"] and "noise" not in env  # the captured one is kept as it was
    assert json.loads(json.dumps(done)) == done
    assert "noise" not in completed(env, load_after=None, noise=None)


def test_the_environment_in_words() -> None:
    assert measured_on(ENVIRONMENT) == [
        ("CPU", "Intel(R) Xeon(R) Platinum 8375C x8 (2 usable)"), ("load", "3.91 -> 4.20"),
        ("Python", "3.12.1"), ("signoff", "0.4.0"), ("commit", "abc1234 (dirty)"), ("timer", "1 ns"),
        ("noise", "8%"),
    ]
    words = dict(measured_on({"timer": {"resolution_s": 2.5e-7}, "noise": 0.005,
                              "load_average": {"before": [0.5, 0, 0]}, "git": {"commit": "f" * 40}}))
    assert words == {"timer": "250 ns", "noise": "0.5%", "load": "0.50 -> ?", "commit": "fffffff"}
    assert dict(measured_on({"noise": 0.123, "timer": {"resolution_s": 0.015}})) == {"noise": "12%",
                                                                                    "timer": "15 ms"}


@pytest.mark.parametrize("odd", [
    {}, {"cpu": "x", "python": [], "packages": None, "git": 3, "timer": {"resolution_s": "1"},
         "noise": "high", "load_average": {"before": "0.5", "after": []}},
    {"cpu": {"count": math.nan, "model": 5}, "load_average": {"before": [math.inf]}, "noise": -1,
     "timer": {"resolution_s": 0}, "git": {"commit": "", "dirty": True}},
])
def test_an_odd_record_read_back_is_shown_as_far_as_it_goes_never_an_exception(odd: dict[str, Any]) -> None:
    assert measured_on(odd) == []
    result = _run(_check(), environment=odd)
    assert measured_on_line(result) is None
    assert "Measured on" not in render_html(result)


# -- the reports -------------------------------------------------------------------------------


def test_the_json_report_carries_the_environment_and_reads_it_back() -> None:
    result = _run(_check(0.08), environment=ENVIRONMENT)
    data = json.loads(json.dumps(result.to_json()))
    assert data["environment"] == ENVIRONMENT
    assert RunResult.from_json(data).environment == ENVIRONMENT
    assert "environment" not in _run(_check()).to_json()  # a library call's result: not known
    assert RunResult.from_json({**data, "environment": "odd"}).environment is None


def test_the_terminal_footer_follows_the_closing_line() -> None:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_run(console, _run(_check(0.08), environment=ENVIRONMENT))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[-2].startswith("PASS")
    assert lines[-1] == ("measured on: Intel(R) Xeon(R) Platinum 8375C x8 (2 usable), load 3.91 -> 4.20, "
                         "Python 3.12.1, signoff 0.4.0, commit abc1234 (dirty), timer 1 ns, noise 8%")
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_run(console, _run(_check()))
    assert "measured on" not in console.file.getvalue()  # type: ignore[attr-defined]


def test_the_html_report_has_a_measured_on_section_escaped() -> None:
    hostile = {**ENVIRONMENT, "cpu": {"model": "<b>CPU</b>", "count": 2}}
    page = render_html(_run(_check(0.08), environment=hostile))
    section = page[page.index('<section class="environment">'):]
    section = section[:section.index("</section>")]
    assert "<h2>Measured on</h2>" in section
    for words in ("&lt;b&gt;CPU&lt;/b&gt; x2", "3.91 -&gt; 4.20", "3.12.1", "0.4.0", "abc1234 (dirty)",
                  "1 ns", "8%"):
        assert words in section
    assert "<b>CPU" not in page
    assert page.index("Measured on") < page.index('<section class="candidate"')


# -- the run pipeline --------------------------------------------------------------------------


def _options(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(json=tmp_path / "r.json", html=tmp_path / "r.html", junit=None, seed=5,
                              quiet=True, no_store=False, store=tmp_path / "runs.db",
                              command_line="signoff check spec.py")


def test_the_run_pipeline_puts_load_before_after_and_noise_in_every_report_and_the_store(
        tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    run = Run(_options(tmp_path), console, Console(file=io.StringIO()))
    result = run.execute(Plan(reference="ref.py:f", candidates=("a.py:f", "b.py:f")),
                         lambda hooks: _run(_check(0.03), _check(0.11)))
    assert result.environment is None  # the front-end's result; the run completes it
    assert run.finish(Outcome(result)) == 0

    environment = json.loads((tmp_path / "r.json").read_text())["environment"]
    assert environment["noise"] == 0.11
    assert environment["packages"]["signoff"] == metadata.version("signoff")
    if HAS_LOAD:
        assert set(environment["load_average"]) == {"before", "after"}
    assert "<h2>Measured on</h2>" in (tmp_path / "r.html").read_text()
    assert "measured on: " in console.file.getvalue() and "noise 11%" in console.file.getvalue()  # type: ignore[attr-defined]
    with Store(tmp_path / "runs.db") as store:
        stored = store.load_run("latest")
    assert stored.environment == environment  # completed at the end, not only begun
    assert stored.result.environment == environment


def test_a_front_ends_own_json_report_gets_the_environment_too(tmp_path: Path) -> None:
    options = _options(tmp_path)
    options.no_store, options.html = True, None
    console = Console(file=io.StringIO(), width=200, color_system=None)
    run = Run(options, console, Console(file=io.StringIO()))
    result = run.execute(Plan(reference="tasks.jsonl"), lambda hooks: _run(_check(0.2), _check()))
    shown: list[str] = []
    run.finish(Outcome(result, view=lambda c: shown.append("view"), report={"schema": "signoff.batch/1"}))
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["schema"] == "signoff.batch/1" and data["environment"]["noise"] == 0.2
    assert shown == ["view"] and "measured on: " in console.file.getvalue()  # type: ignore[attr-defined]


def test_signoff_check_shows_and_records_the_machine(tmp_path: Path) -> None:
    def signoff(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "signoff", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300,
                              env={"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})

    run = signoff("check", str(GALLERY / "sort_spec.py"), "--examples", "20", "--seed", "3",
                  "-c", f"{GALLERY / 'sort_heap.py'}:sort", "--json", "r.json", "--html", "r.html",
                  "--store", "runs.db")
    assert run.returncode == 0, run.stdout + run.stderr
    version = metadata.version("signoff")
    python = ".".join(map(str, sys.version_info[:3]))
    [footer] = [line for line in run.stdout.splitlines() if line.startswith("measured on: ")]
    assert f"Python {python}" in footer and f"signoff {version}" in footer and "timer " in footer
    data = json.loads((tmp_path / "r.json").read_text())
    environment = data["environment"]
    assert environment["packages"]["signoff"] == version and environment["python"]["version"] == python
    if HAS_LOAD:
        assert "load " in footer
        assert [len(environment["load_average"][key]) for key in ("before", "after")] == [3, 3]
    assert "<h2>Measured on</h2>" in (tmp_path / "r.html").read_text()

    again = signoff("report", "latest", "--store", "runs.db")  # the stored run shows it too
    assert again.returncode == 0, again.stderr
    assert footer in again.stdout.splitlines()
