"""What the EvalPlus format needs beyond plain JSON, matched to ``evalplus`` 0.3.1.

- **Input types.** MBPP+ stores tuples, sets and complex numbers as JSON lists
  and strings; EvalPlus turns them back per task (``mbpp_deserialize_inputs``).
  ``mbpp_inputs`` does the same, task by task, quirks included (Mbpp/115 turns
  an empty list into ``{}``), so a sample sees the inputs EvalPlus gives it.
- **Float closeness.** EvalPlus compares a float result (or a list of floats)
  with ``numpy.allclose(rtol=1e-07, atol=atol)``, and uses ``atol=1e-6`` when
  the task's is 0: rounding noise is not a wrong answer. ``Close`` does that
  for every float in a result, with exact types elsewhere (signoff's rule:
  ``1``, ``1.0`` and ``True`` differ).
- **Special oracles.** Where a task has several right answers, EvalPlus
  accepts any of them (``evalplus/eval/_special_oracle.py``); ``ORACLES``
  names the same rules, ``accepts`` applies one in the parent process, on
  plain data, never calling the sample's code. An oracle only widens what
  counts as the reference's answer; a raised exception, a mutated argument or
  a crash is judged as for any task.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from signoff.equality import Approx, strict_equal

RTOL = 1e-07  # numpy.allclose's default, which EvalPlus keeps explicitly
FLOAT_ATOL = 1e-06  # EvalPlus's tolerance for float results when the task gives none

# EvalPlus keys its oracles by dataset and entry point; these are the tasks they serve.
TASK_ORACLES: dict[str, str] = {
    "HumanEval/32": "find_zero",
    "Mbpp/164": "any",  # are_equivalent: EvalPlus accepts every answer (the task is ill-posed)
    "Mbpp/295": "or_zero",  # sum_div
    "Mbpp/581": "surface_area",
    "Mbpp/558": "digit_distance",
    **{f"Mbpp/{n}": "set_equal" for n in (2, 7, 111, 140, 232, 249, 579, 769)},
}
# Matched by entry point, as EvalPlus does: their results are re.Match objects or None.
NOT_NONE_ENTRY_POINTS = frozenset({"check_str", "text_match_three", "text_starta_endb"})


@dataclass(frozen=True)
class Close(Approx):
    """Floats equal as ``numpy.allclose`` has them (within ``abs + rel * |reference|``,
    near enough); everything else exact. Unlike ``approx``, a zero answer within
    the tolerance of a tiny reference value passes, as in EvalPlus."""

    def same(self, reference: Any, candidate: Any) -> bool:
        return strict_equal(reference, candidate, self.rel, self.abs)

    def describe(self) -> str:
        return f"close(rel={self.rel:g}, abs={self.abs:g})"


def close(atol: float) -> Close:
    """EvalPlus's float comparison for a task with tolerance ``atol`` (0: none given)."""
    return Close(rel=RTOL, abs=float(atol) if atol > 0 else FLOAT_ATOL)


def oracle_for(task_id: str, entry_point: str) -> str | None:
    if entry_point in NOT_NONE_ENTRY_POINTS and task_id.startswith("Mbpp/"):
        return "not_none"
    return TASK_ORACLES.get(task_id)


def accepts(oracle: str, args: tuple[Any, ...], reference: Any, candidate: Any, atol: float) -> bool:
    """True when ``oracle`` takes the candidate's result as right for ``args``."""
    try:
        return bool(ORACLES[oracle](args, reference, candidate, atol))
    except Exception:  # a result the oracle cannot even examine is not a right one
        return False


def _poly(xs: list[Any], x: float) -> float:
    return float(sum(coefficient * math.pow(x, i) for i, coefficient in enumerate(xs)))


def _find_zero(args: tuple[Any, ...], reference: Any, candidate: Any, atol: float) -> bool:
    if type(candidate) not in (int, float):
        return False
    return abs(_poly(args[0], candidate)) <= atol


def _surface_area(args: tuple[Any, ...], reference: Any, candidate: Any, atol: float) -> bool:
    base_edge, height = args
    slant_height = math.sqrt((base_edge / 2) ** 2 + height**2)
    expected = round(base_edge**2 + 4 * (base_edge * slant_height) / 2)
    return bool(abs(candidate - expected) <= atol)


def _digit_distance(args: tuple[Any, ...], reference: Any, candidate: Any, atol: float) -> bool:
    first, second = str(args[0]), str(args[1])
    width = max(len(first), len(second))
    expected = sum(abs(int(a) - int(b)) for a, b in zip(first.zfill(width), second.zfill(width),
                                                        strict=True))
    return bool(candidate == expected)


def _not_none(args: tuple[Any, ...], reference: Any, candidate: Any, atol: float) -> bool:
    expected = reference is not None  # the reference returns a re.Match or None
    if isinstance(candidate, bool):
        return candidate == expected
    return expected == (candidate is not None)


ORACLES: dict[str, Callable[[tuple[Any, ...], Any, Any, float], bool]] = {
    "find_zero": _find_zero,
    "any": lambda args, reference, candidate, atol: True,
    "or_zero": lambda args, reference, candidate, atol: bool(candidate == 0),
    "surface_area": _surface_area,
    "digit_distance": _digit_distance,
    "set_equal": lambda args, reference, candidate, atol: set(candidate) == set(reference),
    "not_none": _not_none,
}


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


_EACH_TUPLE = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630,
               726, 740, 744, 809}
_NESTED_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_OF_TUPLES = {75, 413, 444, 753}
_SECOND_TUPLE = {106, 750}
_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}
_NESTED_THEN_EACH = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def mbpp_inputs(task_id: str, inputs: list[Any]) -> list[Any]:
    """The argument lists of an MBPP+ task as EvalPlus 0.3.1 builds them."""
    n = int(task_id.rsplit("/", 1)[-1])
    if n in _EACH_TUPLE:
        return [[tuple(item) for item in inp] for inp in inputs]
    if n in _NESTED_TUPLES:
        return [[[tuple(item) for item in group] for group in inp] for inp in inputs]
    if n in _FIRST_OF_TUPLES:
        return [[[tuple(item) for item in inp[0]]] + [inp[1]] for inp in inputs]
    if n in _SECOND_TUPLE:
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if n == 115:
        return [[[set(item) if isinstance(item, list) and len(item) else {} for item in inp[0]]]
                for inp in inputs]
    if n == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if n in _FIRST_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if n in _NESTED_THEN_EACH:
        nested = [[[tuple(item) for item in group] for group in inp] for inp in inputs]
        return [[tuple(item) for item in inp] for inp in nested]
    if n == 278:
        firsts = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]] for inp in inputs]
        return [[tuple(item) for item in inp] for inp in firsts]
    if n == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if n == 722:
        return [[{key: tuple(value) for key, value in inp[0].items()}] + inp[1:] for inp in inputs]
    if n == 252:
        return [[complex(inp[0])] for inp in inputs]
    if n in _ALL_TUPLES:
        return [_tuples(inp) for inp in inputs]
    return inputs
