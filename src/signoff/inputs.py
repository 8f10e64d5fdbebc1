"""What a check calls the reference and the candidate with.

Generated inputs of several arguments (``signoff.args``), one call's
arguments (``Call``, ``signoff.call``), and sized inputs for the cost
criteria (``signoff.workload``, ``signoff.doubling``). Each constructor
validates what the user wrote, so a mistake is reported with what was wrong
and where, before any worker starts.
"""

from __future__ import annotations

import inspect
import io
import math
import pickle
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from signoff.errors import SpecError

# A workload without sizes doubles from 1,000 to 512,000: ten sizes, enough
# points to tell the growth classes apart, small enough to time in a minute.
SEED_LIMIT = 2**32  # a drawn seed is below this: every seed numpy and Hypothesis accept
MAX_SECONDS = 7 * 24 * 3600  # the longest time limit or budget: a week (the clocks' integers stay in range)


def seed_or_fresh(seed: int | None) -> int:
    """The one seed rule: the seed given, else a fresh random one (shown and recorded by the caller)."""
    return seed if seed is not None else random.randrange(SEED_LIMIT)


DEFAULT_SIZES = (1_000, 512_000)


@dataclass(frozen=True, slots=True)
class Call:
    """The arguments of one call."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def case(self, source: str = "an input") -> bytes:
        """The call as a case for the workers: its pickled ``(args, kwargs)``. SpecError when it
        cannot be pickled (a generator, a lambda, an open file), naming ``source`` (where the input
        came from: the strategy, the workload's make) and the value."""
        try:
            return pickle.dumps((self.args, self.kwargs), pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # PicklingError, TypeError, AttributeError (a local class)...
            raise SpecError(f"{source} is {self.render()[:200]}, which cannot be sent to a worker "
                            f"({type(error).__name__}: {error}); inputs must be picklable: lists, dicts, "
                            "numbers, strings, or objects of classes defined at module level") from None

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
        require_strategy(strategy, f"signoff.args() argument {position}")
    for name, strategy in keyword_strategies.items():
        require_strategy(strategy, f"signoff.args({name}=...)")
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
    chosen = tuple(sizes) if sizes is not None else doubling(*DEFAULT_SIZES)
    if not chosen or any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in chosen):
        raise SpecError(f"workload(sizes=...) must be non-negative integers, not {sizes!r}")
    return Workload(make, tuple(sorted(set(chosen))), parameters == 2)


def require_strategy(value: object, where: str) -> None:
    """SpecError unless ``value`` is a Hypothesis strategy; ``where`` names the argument."""
    if not isinstance(value, SearchStrategy):
        raise SpecError(
            f"{where} must be a Hypothesis strategy (e.g. st.integers()), "
            f"not {type(value).__name__} {value!r}"
        )
    if value.is_empty:  # st.nothing(): the placeholders of the starter spec signoff prints
        raise SpecError(f"{where} is {value!r}, which draws no value: replace it with a strategy for that "
                        "input, e.g. st.integers()")


def seconds_problem(value: float) -> str | None:
    """What is wrong with ``value`` as a time limit or budget, or None: the one rule of
    ``require_seconds`` and of the command line's time flags."""
    if not 0 < value < math.inf:
        return "must be a finite number of seconds > 0"
    if value > MAX_SECONDS:
        return f"must be at most {MAX_SECONDS} seconds (a week)"
    return None


def require_seconds(value: object, where: str) -> None:
    """SpecError unless ``value`` is a number of seconds > 0 and at most MAX_SECONDS."""
    require_positive(value, where)
    problem = seconds_problem(value)  # type: ignore[arg-type]
    if problem:
        raise SpecError(f"{where} {problem}, not {value!r}")


def require_positive(value: object, where: str) -> None:
    """SpecError unless ``value`` is a finite number > 0; ``where`` names the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise SpecError(f"{where} must be a finite number > 0, not {value!r}")


class _Placeholder:
    """Any class a case names, never imported: enough to see the case's outer shape."""

    def __new__(cls, *args: Any, **kwargs: Any) -> _Placeholder:
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass


class _ShapeReader(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return _Placeholder


def check_case(data: bytes) -> None:
    """SpecError unless ``data`` is a case as signoff writes them: a pickled ``(args, kwargs)``.

    Read without importing or running anything the pickle names (every class it names is a
    placeholder), so a case from anywhere can be checked before a worker is given it.
    """
    try:
        value = _ShapeReader(io.BytesIO(data)).load()
    except Exception as error:
        raise SpecError(f"--case is not a pickled input ({type(error).__name__}: {error}); copy it whole "
                        "from the report's replay command") from None
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], tuple | list)
            and isinstance(value[1], dict)):
        raise SpecError(f"--case is a pickled {type(value).__name__}, not an input (a pickled "
                        "(args, kwargs)); copy it whole from the report's replay command")
