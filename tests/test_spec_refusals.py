"""Specs that cannot decide are refused up front (exit 2), not inconclusive after the run."""

from __future__ import annotations

import subprocess
import sys

import pytest

import signoff
from signoff.measure.rules import MIN_SIZE_SPAN, MIN_SIZES

FIX = "sizes=[2**k for k in range(8, 16)]"


def make(n):
    return [1.0] * n


def spec(sizes, criteria=None):
    return signoff.Spec(reference="math:fsum", workload=signoff.workload(make, sizes=sizes),
                        criteria=criteria or ())


def test_scaling_with_too_few_sizes_is_refused_with_the_rule_and_the_fix():
    with pytest.raises(signoff.SpecError) as refused:
        spec([1_000, 2_000, 4_000, 8_000, 16_000], [signoff.scaling()])
    message = str(refused.value)
    assert "5 distinct size(s)" in message
    assert f"a growth fit needs at least {MIN_SIZES} distinct sizes" in message
    assert FIX in message


def test_repeated_sizes_count_once():
    with pytest.raises(signoff.SpecError, match="7 distinct size"):
        spec([2**k for k in range(8, 15)] * 2, [signoff.scaling()])


def test_sizes_over_too_narrow_a_range_are_refused():
    with pytest.raises(signoff.SpecError) as refused:
        spec(range(1_000, 1_000 + MIN_SIZES), [signoff.scaling(no_worse_than="O(n)")])
    message = str(refused.value)
    assert "1000..1007" in message and f"at least {MIN_SIZE_SPAN}x the smallest" in message
    assert FIX in message


def test_a_size_of_zero_does_not_make_the_range_wide():
    with pytest.raises(signoff.SpecError, match=f"at least {MIN_SIZE_SPAN}x"):
        spec(range(0, 8), [signoff.scaling()])


def test_the_default_scaling_is_refused_too_and_the_message_says_how_to_leave_it_out():
    with pytest.raises(signoff.SpecError) as refused:
        spec([1_000, 2_000])
    message = str(refused.value)
    assert "a default criterion" in message and "2 distinct size(s)" in message
    assert "criteria=[signoff.same_results(), signoff.speed()]" in message
    accepted = spec([1_000, 2_000], [signoff.same_results(), signoff.speed()])
    assert [c.name for c in accepted.criteria] == ["same_results", "speed"]


@pytest.mark.parametrize("sizes", [
    [2**k for k in range(8, 16)],  # the fix the message suggests
    signoff.doubling(16, 2048),    # 8 sizes over 128x
    [100 * k for k in (1, 2, 3, 4, 6, 8, 12, 16)],  # 8 sizes over exactly 16x
])
def test_enough_sizes_over_a_wide_enough_range_are_accepted(sizes):
    assert [c.name for c in spec(sizes, [signoff.scaling()]).criteria] == ["scaling"]


def test_cost_criteria_without_scaling_need_no_growth_fit():
    assert len(spec([2_000], [signoff.speed(), signoff.memory()]).criteria) == 2


def test_the_command_line_refuses_it_with_exit_2_and_one_line(tmp_path):
    (tmp_path / "spec.py").write_text(
        "import signoff\nfrom hypothesis import strategies as st\n\n"
        "spec = signoff.Spec(reference='math:fsum', inputs=st.lists(st.floats(allow_nan=False)),\n"
        "                    workload=signoff.workload(lambda n: [1.0] * n, sizes=[10, 20, 40, 80, 160]),\n"
        "                    criteria=[signoff.same_results(), signoff.scaling()])\n")
    run = subprocess.run([sys.executable, "-m", "signoff", "check", "spec.py", "-c", "math:fsum"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"NO_COLOR": "1", "COLUMNS": "80", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.stderr.strip().count("\n") == 0, run.stderr
    assert "5 distinct size(s)" in run.stderr
    assert f"at least {MIN_SIZES} distinct sizes" in run.stderr and FIX in run.stderr
