"""The spec: acceptance criteria written before the candidate exists.

A spec file is a Python file that defines ``spec = signoff.Spec(...)``.
Everything a user writes is validated here, so a mistake is reported with
what was wrong and where, before any worker starts.
"""

from __future__ import annotations

import contextvars
import importlib.util
import inspect
import json
import random
import re
import sys
import sysconfig
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from signoff.equality import Equality, as_equality
from signoff.errors import SpecError
from signoff.outcomes import ExceptionMode
from signoff.targets import Target, parse_target

# Relative target paths inside a spec file are taken from the spec's folder.
_spec_folder: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "signoff_spec_folder", default=None
)

DEFAULT_EXAMPLES = 200  # generated cases per candidate: enough to find most edge-case bugs
DEFAULT_SAME_RESULTS_BUDGET_S = 120.0  # generation plus shrinking, per candidate
DEFAULT_TIMEOUT_S = 5.0  # per call
DEFAULT_MEMORY_LIMIT = 2 << 30  # per worker, address space
# Cost criteria budgets: each stops sampling when its budget is spent and says
# inconclusive if the evidence has not decided by then.
DEFAULT_SPEED_BUDGET_S = 60.0
DEFAULT_SCALING_BUDGET_S = 60.0
DEFAULT_MEMORY_BUDGET_S = 30.0
DEFAULT_SPEED_AT_MOST = 1.2  # 20% slower than the reference is still a pass
DEFAULT_MEMORY_AT_MOST = 2.0


@dataclass(frozen=True, slots=True)
class Call:
    """The arguments of one call."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def render(self, name: str = "f") -> str:
        """The call as code: ``f([3, 1], key=None)``."""
        parts = [repr(value) for value in self.args]
        parts += [f"{key}={value!r}" for key, value in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def call(*args: Any, **kwargs: Any) -> Call:
    """Several arguments for one call, e.g. from a workload's ``make(n)``."""
    return Call(args, kwargs)


@dataclass(frozen=True, slots=True)
class Arguments:
    """Strategies for several arguments: ``signoff.args(st.text(), sep=st.text())``."""

    strategy: SearchStrategy[Call]


def args(*strategies: SearchStrategy[Any], **keyword_strategies: SearchStrategy[Any]) -> Arguments:
    """Inputs of several arguments, each from its own strategy."""
    for position, strategy in enumerate(strategies):
        _require_strategy(strategy, f"signoff.args() argument {position}")
    for name, strategy in keyword_strategies.items():
        _require_strategy(strategy, f"signoff.args({name}=...)")
    return Arguments(
        st.builds(
            lambda positional, keywords: Call(tuple(positional), keywords),
            st.tuples(*strategies),
            st.fixed_dictionaries(keyword_strategies),
        )
    )


def doubling(lo: int, hi: int) -> tuple[int, ...]:
    """Sizes lo, 2*lo, 4*lo, ... up to hi: ``doubling(1_000, 512_000)`` gives 10 sizes."""
    if not (isinstance(lo, int) and isinstance(hi, int)) or lo < 1 or hi < lo:
        raise SpecError(f"doubling(lo, hi) needs integers 1 <= lo <= hi, not ({lo!r}, {hi!r})")
    sizes = [lo]
    while sizes[-1] * 2 <= hi:
        sizes.append(sizes[-1] * 2)
    return tuple(sizes)


@dataclass(frozen=True)
class Workload:
    """Sized inputs for the cost criteria: ``make(n)`` or ``make(n, rng)`` builds one input."""

    make: Callable[..., Any]
    sizes: tuple[int, ...]
    takes_rng: bool = False

    def build(self, size: int, rng: random.Random) -> Call:
        """A fresh input of ``size`` as a Call (``make`` may return one argument or a Call)."""
        value = self.make(size, rng) if self.takes_rng else self.make(size)
        return value if isinstance(value, Call) else Call((value,), {})


def workload(make: Callable[..., Any], sizes: Sequence[int] | None = None) -> Workload:
    """Inputs of growing size: ``make(n)`` or ``make(n, rng)``; sizes default to doubling(1_000, 512_000)."""
    if not callable(make):
        raise SpecError(f"workload(make=...) must be a function of the size n, not {make!r}")
    try:
        parameters = len(inspect.signature(make).parameters)
    except (TypeError, ValueError):
        parameters = 1
    if parameters not in (1, 2):
        raise SpecError(f"workload(make=...) must take (n) or (n, rng), not {parameters} parameters")
    chosen = tuple(sizes) if sizes is not None else doubling(1_000, 512_000)
    if not chosen or any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in chosen):
        raise SpecError(f"workload(sizes=...) must be non-negative integers, not {sizes!r}")
    return Workload(make, tuple(sorted(set(chosen))), parameters == 2)


class Criterion:
    """One requirement a candidate must meet."""

    name: ClassVar[str]
    needs_workload: ClassVar[bool] = False


@dataclass(frozen=True)
class SameResults(Criterion):
    name: ClassVar[str] = "same_results"
    examples: int = DEFAULT_EXAMPLES
    equal: Equality = field(default_factory=Equality)
    exceptions: ExceptionMode = "type"
    determinism: bool = True
    budget_s: float = DEFAULT_SAME_RESULTS_BUDGET_S


def same_results(
    examples: int = DEFAULT_EXAMPLES,
    equal: object = None,
    exceptions: str = "type",
    determinism: bool = True,
    budget: float = DEFAULT_SAME_RESULTS_BUDGET_S,
) -> SameResults:
    """The candidate's outcomes match the reference's on every input.

    ``examples`` generated cases (plus every supplied one); ``equal`` is
    ``"exact"`` (default), ``"unordered"``, ``signoff.approx(rel, abs)`` or a
    function; ``exceptions`` is ``"type"`` (default), ``"message"`` (type and
    message) or ``"any"``; ``determinism`` repeats each candidate call once
    and requires the same outcome; ``budget`` caps the seconds spent.
    """
    if not isinstance(examples, int) or isinstance(examples, bool) or examples < 0:
        raise SpecError(f"same_results(examples=...) must be an int >= 0, not {examples!r}")
    if exceptions not in ("type", "message", "any"):
        raise SpecError(
            f"same_results(exceptions=...) must be 'type', 'message' or 'any', not {exceptions!r}"
        )
    _require_positive(budget, "same_results(budget=...)")
    return SameResults(examples, as_equality(equal), exceptions, bool(determinism),  # type: ignore[arg-type]
                       float(budget))


@dataclass(frozen=True)
class Speed(Criterion):
    name: ClassVar[str] = "speed"
    needs_workload: ClassVar[bool] = True
    at_most: float = DEFAULT_SPEED_AT_MOST
    size: int | None = None  # the workload size to time at; None for the largest
    budget_s: float = DEFAULT_SPEED_BUDGET_S
    max_pairs: int = 300


def speed(at_most: float = DEFAULT_SPEED_AT_MOST, *, size: int | None = None,
          budget: float = DEFAULT_SPEED_BUDGET_S, max_pairs: int = 300) -> Speed:
    """Candidate time / reference time is at most ``at_most``, with 95% confidence.

    Timed in interleaved pairs on the same fresh input of the workload at
    ``size`` (default: its largest size), until the interval decides or
    ``budget`` seconds or ``max_pairs`` pairs are spent (then inconclusive).
    """
    _require_positive(at_most, "speed(at_most=...)")
    _require_positive(budget, "speed(budget=...)")
    if not isinstance(max_pairs, int) or max_pairs < 16:
        raise SpecError(f"speed(max_pairs=...) must be an int >= 16, not {max_pairs!r}")
    return Speed(float(at_most), size, float(budget), max_pairs)


@dataclass(frozen=True)
class Scaling(Criterion):
    name: ClassVar[str] = "scaling"
    needs_workload: ClassVar[bool] = True
    no_worse_than: str = "reference"
    repeats: int = 5
    budget_s: float = DEFAULT_SCALING_BUDGET_S


def scaling(no_worse_than: str = "reference", *, repeats: int = 5,
            budget: float = DEFAULT_SCALING_BUDGET_S) -> Scaling:
    """The candidate's fitted growth class is no worse than the reference's (or a named class).

    ``no_worse_than`` is ``"reference"`` or one of ``O(1)``, ``O(log n)``,
    ``O(n)``, ``O(n log n)``, ``O(n^2)``, ``O(n^3)``, ``O(2^n)``. Each size is
    timed ``repeats`` times in random order; the median is fitted.
    """
    from signoff.stats import GROWTH_CLASSES

    if no_worse_than != "reference" and no_worse_than not in GROWTH_CLASSES:
        raise SpecError(
            f"scaling(no_worse_than=...) must be 'reference' or one of {', '.join(GROWTH_CLASSES)}, "
            f"not {no_worse_than!r}"
        )
    if not isinstance(repeats, int) or repeats < 1:
        raise SpecError(f"scaling(repeats=...) must be an int >= 1, not {repeats!r}")
    _require_positive(budget, "scaling(budget=...)")
    return Scaling(no_worse_than, repeats, float(budget))


@dataclass(frozen=True)
class Memory(Criterion):
    name: ClassVar[str] = "memory"
    needs_workload: ClassVar[bool] = True
    at_most: float = DEFAULT_MEMORY_AT_MOST
    size: int | None = None
    pairs: int = 3
    budget_s: float = DEFAULT_MEMORY_BUDGET_S


def memory(at_most: float = DEFAULT_MEMORY_AT_MOST, *, size: int | None = None, pairs: int = 3,
           budget: float = DEFAULT_MEMORY_BUDGET_S) -> Memory:
    """Peak memory of one call, candidate / reference, is at most ``at_most``.

    Each pair measures one call in a fresh worker on each side (tracemalloc
    peak and resident-set growth, the larger counts), at the workload's
    ``size`` (default: largest).
    """
    _require_positive(at_most, "memory(at_most=...)")
    _require_positive(budget, "memory(budget=...)")
    if not isinstance(pairs, int) or pairs < 1:
        raise SpecError(f"memory(pairs=...) must be an int >= 1, not {pairs!r}")
    return Memory(float(at_most), size, pairs, float(budget))


@dataclass(frozen=True)
class Spec:
    """What the candidate must match, on which inputs, by which criteria."""

    reference: object
    inputs: SearchStrategy[Any] | Arguments | None = None
    workload: Workload | None = None
    criteria: Sequence[Criterion] = ()
    corpus: Sequence[str | Path] = ()
    timeout: float = DEFAULT_TIMEOUT_S
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    folder: Path | None = field(default=None, compare=False)  # for relative paths; see below

    def __post_init__(self) -> None:
        # Relative paths are taken from: the spec file being loaded, else an
        # explicit folder (kept by dataclasses.replace), else the file that
        # called Spec(...), else the current directory.
        folder = _spec_folder.get() or self.folder or _caller_folder() or Path.cwd()
        object.__setattr__(self, "folder", folder)
        object.__setattr__(self, "reference_target",
                           parse_target(self.reference, base=folder, what="Spec(reference=...)"))
        if self.inputs is not None and not isinstance(self.inputs, Arguments):
            _require_strategy(self.inputs, "Spec(inputs=...)")
        if self.workload is not None and not isinstance(self.workload, Workload):
            raise SpecError(
                f"Spec(workload=...) must be signoff.workload(make, sizes=...), not {self.workload!r}"
            )
        criteria = tuple(self.criteria)
        for criterion in criteria:
            if not isinstance(criterion, Criterion):
                raise SpecError(
                    f"Spec(criteria=...) holds {criterion!r}, which is not a criterion: use "
                    "signoff.same_results(...), speed(...), scaling(...) or memory(...)"
                )
            if criterion.needs_workload and self.workload is None:
                raise SpecError(
                    f"{criterion.name}() needs sized inputs: add workload=signoff.workload(make, sizes=...)"
                )
            size = getattr(criterion, "size", None)
            if size is not None and self.workload is not None and size not in self.workload.sizes:
                raise SpecError(
                    f"{criterion.name}(size={size}) is not one of the workload's sizes {self.workload.sizes}"
                )
        if not criteria:
            criteria = (same_results(),)
            if self.workload is not None:
                criteria += (speed(), scaling())
        object.__setattr__(self, "criteria", criteria)
        corpus = (self.corpus,) if isinstance(self.corpus, (str, Path)) else tuple(self.corpus)
        object.__setattr__(self, "corpus", tuple(_resolve(folder, path) for path in corpus))
        _require_positive(self.timeout, "Spec(timeout=...)")
        if not isinstance(self.memory_limit, int) or self.memory_limit < (64 << 20):
            raise SpecError(
                f"Spec(memory_limit=...) must be a number of bytes >= 64 MiB, not {self.memory_limit!r}"
            )

    reference_target: Target = field(init=False, compare=False)

    @property
    def call_strategy(self) -> SearchStrategy[Call] | None:
        """Inputs as ``Call`` values, whatever form the spec gave them in."""
        if self.inputs is None:
            return None
        if isinstance(self.inputs, Arguments):
            return self.inputs.strategy
        return self.inputs.map(lambda value: Call((value,), {}))


@dataclass(frozen=True)
class LoadedSpec:
    spec: Spec
    path: Path
    module_name: str  # the spec's module, which workers may import to unpickle inputs


def load_spec(path: str | Path) -> LoadedSpec:
    """Run a spec file and return its ``spec``; SpecError says what went wrong and where."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"spec file not found: {path}")
    if path.suffix != ".py":
        raise SpecError(f"{path}: a spec is a Python file (.py) that defines `spec = signoff.Spec(...)`")
    resolved = path.resolve()
    module_name = "signoff_spec_" + re.sub(r"\W", "_", resolved.stem)
    module_spec = importlib.util.spec_from_file_location(module_name, resolved)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module  # inputs built from the spec's own classes must pickle
    try:
        with spec_folder(resolved.parent):
            module_spec.loader.exec_module(module)
    except SpecError as error:
        raise SpecError(f"{path}:{_user_line(error, resolved)}: {error}") from None
    except SyntaxError as error:
        raise SpecError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from None
    except Exception as error:
        raise SpecError(
            f"{path}:{_user_line(error, resolved)}: the spec raised "
            f"{type(error).__name__}: {error}"
        ) from None
    spec = getattr(module, "spec", None)
    if spec is None:
        raise SpecError(f"{path}: defines no `spec`; add `spec = signoff.Spec(reference=...)`")
    if not isinstance(spec, Spec):
        raise SpecError(f"{path}: `spec` is a {type(spec).__name__}, not a signoff.Spec")
    return LoadedSpec(spec, path, module_name)


@contextmanager
def spec_folder(folder: Path) -> Iterator[None]:
    token = _spec_folder.set(folder)
    try:
        yield
    finally:
        _spec_folder.reset(token)


def load_corpus(path: Path) -> list[Call]:
    """Supplied inputs: JSON lines of ``{"args": [...], "kwargs": {...}}``."""
    if not path.is_file():
        raise SpecError(f"inputs file not found: {path}")
    calls = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise SpecError(f"{path}:{number}: not JSON: {error.msg}") from None
            if not isinstance(record, dict) or not set(record) <= {"args", "kwargs"}:
                raise SpecError(
                    f'{path}:{number}: expected {{"args": [...], "kwargs": {{...}}}}, got {line.strip()[:80]}'
                )
            positional, keywords = record.get("args", []), record.get("kwargs", {})
            if not isinstance(positional, list) or not isinstance(keywords, dict):
                raise SpecError(f'{path}:{number}: "args" must be a list and "kwargs" an object')
            calls.append(Call(tuple(positional), keywords))
    return calls


def _caller_folder() -> Path | None:
    """The folder of the file that called Spec(...), outside signoff itself.

    So a file that is both a spec and a module (imported by a worker as the
    reference) resolves its relative paths the same way in every process.
    """
    skip = (str(Path(__file__).parent), sysconfig.get_paths()["stdlib"], "<")
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(skip):
            return Path(filename).resolve().parent
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _resolve(folder: Path, path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else folder / path


def _require_strategy(value: object, where: str) -> None:
    if not isinstance(value, SearchStrategy):
        raise SpecError(
            f"{where} must be a Hypothesis strategy (e.g. st.integers()), "
            f"not {type(value).__name__} {value!r}"
        )


def _require_positive(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise SpecError(f"{where} must be a number > 0, not {value!r}")


def _user_line(error: BaseException, spec_path: Path) -> int | str:
    """The line of the spec file that raised, from the traceback."""
    line: int | str = "?"
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == spec_path and frame.lineno is not None:
            line = frame.lineno
    return line
