"""signoff's own JSONL task format: tasks with generated inputs and workloads, without Python.

One task per line, told apart from EvalPlus's format by its ``reference`` field::

    {"task_id": "Own/total", "entry_point": "total",
     "reference": "def total(xs: list[int]) -> int:\\n    return sum(xs)\\n\\n"
                  "def make_input(n):\\n    return [list(range(n))]\\n",
     "inputs": [[[1, 2, 3]], [[]]],
     "generate": true, "examples": 100,
     "workload": {"make": "make_input", "sizes": [1000, 100000]},
     "speed": {"at_most": 2.0}}

- ``task_id``, ``entry_point``, ``reference`` (required): the task's name,
  the function a sample must define, and the reference: a whole program that
  defines it.
- ``prompt``: what a sample's ``completion`` is appended to (default empty).
- ``inputs``, ``plus_inputs``: supplied inputs, each a list of arguments
  (``[[1, 2], [3, 4]]`` is ``f(1, 2)`` and ``f(3, 4)``). ``inputs`` are the
  base inputs: a sample's base verdict rests on them alone.
- ``generate``: ``true`` for generated inputs, with a Hypothesis strategy
  inferred from the type hints of the reference's entry point (as
  ``signoff check --reference`` does); ``examples`` of them per sample
  (default 200).
- ``atol``: floats within ``atol`` (plus 1e-7 relative, as EvalPlus
  compares) count as equal; absent or 0, results must be exactly equal.
- ``workload``: sized inputs for timing a correct sample against the
  reference. ``make`` names a function of the reference program that takes
  the size ``n`` (or ``n, rng``) and returns the call's arguments as a list,
  as one entry of ``inputs``; ``sizes`` are the sizes (default
  ``signoff.doubling(1_000, 512_000)``); the largest is timed.
- ``speed``: a bound on the time ratio, with ``signoff.speed``'s keys:
  ``at_most``, ``size``, ``budget`` (seconds), ``max_pairs``. Without it the
  ratio is measured and reported but never fails a sample.

At least one of ``inputs``, ``plus_inputs`` and ``generate`` is needed. With
``generate`` or ``workload`` the reference is run in signoff's own process
when the file is read (it is the trusted side), so that a missing type hint
or a bad ``make`` is reported then, as bad input, not halfway through the
batch. Any mistake is a one-line SpecError naming the file, the line and the
field; an unknown field is a mistake too (a misspelt ``workload`` must not be
silently ignored).
"""

from __future__ import annotations

import math
import random
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from signoff.batch import evalplus
from signoff.batch.task import Task, compile_reference
from signoff.criteria.same_results import DEFAULT_EXAMPLES
from signoff.criteria.speed import Speed, speed
from signoff.equality import Equality, Exact
from signoff.errors import SpecError
from signoff.infer import infer_inputs
from signoff.inputs import Call, Workload, workload

REQUIRED = ("task_id", "entry_point", "reference")
OPTIONAL = ("prompt", "inputs", "plus_inputs", "generate", "examples", "atol", "workload", "speed")
WORKLOAD_KEYS = ("make", "sizes")
SPEED_KEYS = ("at_most", "size", "budget", "max_pairs")


class _Bad(Exception):
    """A mistake in one field of a record."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def is_native(record: Mapping[str, Any]) -> bool:
    return "reference" in record


def from_record(record: Mapping[str, Any], where: str) -> Task:
    """The task of one record; ``where`` (``path:line``) starts every error message."""
    try:
        return _task(record)
    except _Bad as error:
        raise SpecError(f'{where}: "{error.field}": {error.message}') from None
    except SpecError as error:  # Task's own checks (a field that is fine alone, not together)
        raise SpecError(f"{where}: {error}") from None


def _task(record: Mapping[str, Any]) -> Task:
    for name in REQUIRED:
        if name not in record:
            raise _Bad(name, "missing (a signoff task has " + ", ".join(REQUIRED) + ")")
    unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _Bad(unknown[0], f"unknown field; known: {', '.join(REQUIRED + OPTIONAL)}")
    task_id, entry_point = _text(record, "task_id"), _text(record, "entry_point")
    reference = _text(record, "reference")
    generate = record.get("generate", False)
    if not isinstance(generate, bool):
        raise _Bad("generate", f"must be true or false, not {generate!r}")
    examples = record.get("examples", DEFAULT_EXAMPLES)
    if not isinstance(examples, int) or isinstance(examples, bool) or examples < 0:
        raise _Bad("examples", f"must be an integer >= 0, not {examples!r}")
    atol = record.get("atol", 0.0)
    if not isinstance(atol, int | float) or isinstance(atol, bool) or not 0 <= atol < math.inf:
        raise _Bad("atol", f"must be a number >= 0, not {atol!r}")
    equal: Equality = evalplus.close(atol) if atol > 0 else Exact()
    if "speed" in record and "workload" not in record:
        raise _Bad("speed", 'a bound on the time needs sized inputs: add "workload"')
    module = _run(reference, task_id) if generate or "workload" in record else None
    return Task(
        task_id=task_id, entry_point=entry_point, reference=reference,
        prompt=_text(record, "prompt") if "prompt" in record else "",
        base_inputs=_inputs(record, "inputs"), plus_inputs=_inputs(record, "plus_inputs"),
        equal=equal, atol=float(atol),
        strategy=_inferred(module, task_id, entry_point) if module and generate else None,
        examples=examples,
        workload=_workload(module, record["workload"]) if module and "workload" in record else None,
        speed=_speed(record["speed"]) if "speed" in record else None,
    )


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str) or (not value and name != "prompt"):
        raise _Bad(name, f"must be a non-empty string, not {value!r}")
    return value


def _inputs(record: Mapping[str, Any], name: str) -> tuple[Call, ...]:
    value = record.get(name, [])
    if not isinstance(value, list):
        raise _Bad(name, f"must be a list of argument lists, e.g. [[1, 2], [3]] for f(1, 2) and f(3), "
                         f"not {type(value).__name__}")
    for position, arguments in enumerate(value):
        if not isinstance(arguments, list):
            raise _Bad(name, f"item {position} is {arguments!r}, not a list of arguments "
                             "(a call with one argument x is [x])")
    return tuple(Call(tuple(arguments), {}) for arguments in value)


def _run(reference: str, task_id: str) -> types.ModuleType:
    """The reference program run as a module of its own.

    Not entered in ``sys.modules``: Ray then ships its functions (a workload's
    ``make``) by value to a node that has no such module.
    """
    module = types.ModuleType("signoff_reference_" + re.sub(r"\W", "_", task_id))
    code = compile_reference(reference, task_id)
    try:
        exec(code, module.__dict__)
    except (Exception, SystemExit) as error:  # exit() in user code is an error
        raise _Bad("reference", f"running it raised {type(error).__name__}: {error}") from None
    return module


def _function(module: types.ModuleType, name: str, field: str) -> Callable[..., Any]:
    function = getattr(module, name, None)
    if not callable(function):
        raise _Bad(field, f"the reference defines no function {name!r}")
    return function  # type: ignore[no-any-return]


def _inferred(module: types.ModuleType, task_id: str, entry_point: str) -> Any:
    function = _function(module, entry_point, "entry_point")
    try:
        strategy = infer_inputs(function, f"{task_id}:{entry_point}").strategy
        strategy.validate()  # a hint Hypothesis cannot build is found now, not on the first draw
    except SpecError as error:  # its message goes on with a spec to start from: the first line says it
        first = str(error).splitlines()[0].rstrip(".")
        raise _Bad("generate", f"{first}; add type hints to the reference or give inputs instead") from None
    except Exception as error:
        raise _Bad("generate", f"no strategy for the arguments of {entry_point}: "
                               f"{type(error).__name__}: {error}") from None
    return strategy


class _NotArguments(TypeError):
    """A workload's ``make`` returned something other than a list of arguments."""


@dataclass(frozen=True)
class _Arguments:
    """The reference's ``make``, whose list of arguments becomes a Call (as ``inputs`` are written)."""

    make: Callable[..., Any]
    name: str

    def __call__(self, *size_and_rng: Any) -> Call:
        value = self.make(*size_and_rng)
        if isinstance(value, Call):
            return value
        if not isinstance(value, list | tuple):
            raise _NotArguments(f"{self.name}({size_and_rng[0]}) returned {type(value).__name__}, "
                            "not a list of the call's arguments")
        return Call(tuple(value), {})


def _workload(module: types.ModuleType, value: Any) -> Workload:
    if not isinstance(value, dict) or not isinstance(value.get("make"), str):
        raise _Bad("workload", f'must be {{"make": "<function of the reference>", "sizes": [...]}}, '
                               f"not {value!r}")
    unknown = sorted(set(value) - set(WORKLOAD_KEYS))
    if unknown:
        raise _Bad(f"workload.{unknown[0]}", f"unknown key; known: {', '.join(WORKLOAD_KEYS)}")
    sizes = value.get("sizes")
    if sizes is not None and (not isinstance(sizes, list) or not sizes or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sizes)):
        raise _Bad("workload.sizes", f"must be a non-empty list of integers >= 0, not {sizes!r}")
    name = value["make"]
    make = _function(module, name, "workload.make")
    try:
        checked = workload(make, sizes)
    except SpecError as error:
        raise _Bad("workload.make", str(error)) from None
    built = Workload(_Arguments(make, name), checked.sizes, checked.takes_rng)
    smallest = checked.sizes[0]
    try:
        built.build(smallest, random.Random(0))  # a wrong make is bad input, found now
    except _NotArguments as error:
        raise _Bad("workload.make", str(error)) from None
    except Exception as error:
        raise _Bad("workload.make", f"{name}({smallest}) raised {type(error).__name__}: {error}") from None
    return built


def _speed(value: Any) -> Speed:
    if not isinstance(value, dict):
        raise _Bad("speed", f'must be an object such as {{"at_most": 2.0}}, not {value!r}')
    unknown = sorted(set(value) - set(SPEED_KEYS))
    if unknown:
        raise _Bad(f"speed.{unknown[0]}", f"unknown key; known: {', '.join(SPEED_KEYS)}")
    try:
        return speed(**value)
    except SpecError as error:
        raise _Bad("speed", str(error)) from None
