"""``Task``: what a batch judges one sample against.

The entry point, the reference solution's source (a whole program), the
supplied base and plus inputs, the comparison (exact, or float tolerance), an
optional special oracle, and optionally a Hypothesis strategy for generated
inputs and a workload for the sample's speed against the reference. Built in
Python (a tasks file) or read from JSONL (``tasks``, ``native``); checked when
made, so a mistake is a one-line SpecError naming the task.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from hypothesis.strategies import SearchStrategy

from signoff.batch import evalplus
from signoff.criteria.same_results import DEFAULT_EXAMPLES
from signoff.criteria.speed import Speed
from signoff.equality import Equality, Exact
from signoff.errors import SpecError
from signoff.inputs import Arguments, Call, Workload

_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Task:
    """One task of a batch; samples for it are judged against ``reference``."""

    task_id: str
    entry_point: str
    reference: str  # the reference solution: a whole program that defines entry_point
    prompt: str = ""  # what a sample's "completion" is appended to
    base_inputs: tuple[Call, ...] = ()  # the original benchmark's inputs
    plus_inputs: tuple[Call, ...] = ()  # the extended inputs
    equal: Equality = field(default_factory=Exact)
    atol: float = 0.0  # the task's own tolerance, as the oracles need it
    oracle: str | None = None  # a name in evalplus.ORACLES: more than one right answer
    # Generated inputs, beside the supplied ones: signoff.args(...), a strategy of one
    # argument, or a strategy of Calls (as Spec(inputs=...) takes them).
    strategy: SearchStrategy[Any] | Arguments | None = None
    examples: int = DEFAULT_EXAMPLES  # generated inputs per sample, with a strategy
    workload: Workload | None = None  # sized inputs: a correct sample is timed against the reference
    speed: Speed | None = None  # how much slower it may be; None: the ratio is reported, not judged
    call_strategy: SearchStrategy[Call] | None = field(init=False, default=None, repr=False,
                                                       compare=False)  # ``strategy`` as Calls

    def __post_init__(self) -> None:
        where = f"task {self.task_id}"
        if not isinstance(self.task_id, str) or not self.task_id:
            raise SpecError(f"Task(task_id=...) must be a non-empty string, not {self.task_id!r}")
        if not isinstance(self.entry_point, str) or not _IDENTIFIER.match(self.entry_point):
            raise SpecError(f"{where}: entry point {self.entry_point!r} is not a function name")
        if not isinstance(self.reference, str):
            raise SpecError(f"{where}: the reference must be a program's source text, not "
                            f"{type(self.reference).__name__}")
        compile_reference(self.reference, self.task_id)  # a broken reference is bad input, not an
        # error for every sample
        if self.oracle is not None and self.oracle not in evalplus.ORACLES:
            raise SpecError(f"{where}: unknown oracle {self.oracle!r}; "
                            f"known: {', '.join(sorted(evalplus.ORACLES))}")
        object.__setattr__(self, "call_strategy", _as_calls(self.strategy, where))
        if not (self.base_inputs or self.plus_inputs or self.strategy is not None):
            raise SpecError(f"{where}: no inputs (supplied or a strategy)")
        if not isinstance(self.examples, int) or isinstance(self.examples, bool) or self.examples < 0:
            raise SpecError(f"{where}: examples must be an int >= 0, not {self.examples!r}")
        if self.workload is not None and not isinstance(self.workload, Workload):
            raise SpecError(f"{where}: workload must be signoff.workload(make, sizes=...), "
                            f"not {self.workload!r}")
        if self.speed is not None:
            if not isinstance(self.speed, Speed):
                raise SpecError(f"{where}: speed must be signoff.speed(at_most=...), not {self.speed!r}")
            if self.workload is None:
                raise SpecError(f"{where}: speed needs sized inputs: add workload=signoff.workload(...)")
            if self.speed.size is not None and self.speed.size not in self.workload.sizes:
                raise SpecError(f"{where}: speed(size={self.speed.size}) is not one of the workload's "
                                f"sizes {self.workload.sizes}")

    def solution(self, sample: Mapping[str, Any]) -> str:
        """The program a sample stands for: its ``solution``, or the prompt plus its ``completion``."""
        if isinstance(sample.get("solution"), str):
            return str(sample["solution"])
        return self.prompt + str(sample["completion"])


def _as_calls(strategy: object, where: str) -> SearchStrategy[Call] | None:
    if strategy is None:
        return None
    if isinstance(strategy, Arguments):
        return strategy.strategy
    if not isinstance(strategy, SearchStrategy):
        raise SpecError(f"{where}: strategy must be a Hypothesis strategy or signoff.args(...), "
                        f"not {type(strategy).__name__} {strategy!r}")
    return strategy.map(_call)


def _call(value: Any) -> Call:
    """A drawn value as a call: a Call as it is, anything else as the one argument."""
    return value if isinstance(value, Call) else Call((value,), {})


def compile_reference(source: str, task_id: str) -> CodeType:
    """The reference program compiled (not run); SpecError naming the task and the line when it is
    not valid Python. The one compile of a reference: ``Task`` checks it, ``native`` runs it."""
    try:
        with warnings.catch_warnings():  # a warning (an invalid escape in MBPP+) is no error
            warnings.simplefilter("ignore")
            return compile(source, f"<reference of {task_id}>", "exec")
    except SyntaxError as error:
        raise SpecError(f"task {task_id}: the reference is not valid Python: {error.msg} "
                        f"(line {error.lineno}: {(error.text or '').strip()})") from None
    except ValueError as error:  # a NUL byte in the source
        raise SpecError(f"task {task_id}: the reference is not valid Python: {error}") from None


def take(located: Iterable[tuple[str, Task]], limit: int | None) -> list[Task]:
    """The first ``limit`` tasks (all without a limit), in order; each is (where it was written, task),
    and a task id written twice is a SpecError naming the second place."""
    tasks: list[Task] = []
    seen: set[str] = set()
    if limit == 0:
        return tasks
    for where, task in located:  # lazy: a task after the limit is never built, nor its reference run
        if task.task_id in seen:
            raise SpecError(f"{where}: task {task.task_id} appears twice")
        seen.add(task.task_id)
        tasks.append(task)
        if limit is not None and len(tasks) >= limit:
            break
    return tasks
