"""When two results count as the same.

Results arrive from the workers as plain data (see ``runner.worker_main``):
builtin values with their exact types, and ``Opaque`` records for any other
object. Equality here never calls a candidate's code.

- ``exact()`` (the default): same types and values; ``1``, ``1.0`` and
  ``True`` differ; NaN equals NaN; ``0.0`` equals ``-0.0``.
- ``approx(rel=, abs=)``: floats within tolerance, everything else exact;
  an all-zero answer never passes for a non-zero one, whatever the tolerance.
- ``unordered()``: a list or tuple result compared as a multiset.
- a function ``equal(reference, candidate) -> bool`` on the decoded values.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from signoff.errors import SpecError
from signoff.runner.worker_main import ESCAPE_MARK, OBJECT_MARK


@dataclass(frozen=True, slots=True)
class Opaque:
    """A non-builtin object as the worker saw it: its type name and its state."""

    type: str
    state: Any

    def __repr__(self) -> str:
        return f"<{self.type} {self.state!r}>"


def decode(value: Any) -> Any:
    """Plain data from a worker with object records turned into ``Opaque``."""
    kind = type(value)
    if kind is tuple:
        if len(value) == 3 and value[0] == OBJECT_MARK:
            return Opaque(value[1], decode(value[2]))
        if len(value) == 2 and value[0] == ESCAPE_MARK:
            return tuple(decode(item) for item in value[1])
        return tuple(decode(item) for item in value)
    if kind is list:
        return [decode(item) for item in value]
    if kind is dict:
        return {decode(k): decode(v) for k, v in value.items()}
    if kind is set or kind is frozenset:
        return kind(decode(item) for item in value)
    return value


class Equality:
    """Decides whether a reference value and a candidate value are the same."""

    name = "exact"

    def same(self, reference: Any, candidate: Any) -> bool:
        return strict_equal(reference, candidate, 0.0, 0.0)

    def describe(self) -> str:
        return self.name


class Exact(Equality):
    pass


@dataclass(frozen=True)
class Approx(Equality):
    rel: float = 1e-9
    abs: float = 0.0

    def __post_init__(self) -> None:
        for name in ("rel", "abs"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0 or math.isnan(value):
                raise SpecError(f"approx({name}=...) must be a number >= 0, not {value!r}")

    def same(self, reference: Any, candidate: Any) -> bool:
        if _all_zero(candidate) and not _all_zero(reference):
            return False
        return strict_equal(reference, candidate, self.rel, self.abs)

    def describe(self) -> str:
        return f"approx(rel={self.rel:g}, abs={self.abs:g})"


@dataclass(frozen=True)
class Unordered(Equality):
    def same(self, reference: Any, candidate: Any) -> bool:
        if type(reference) is not type(candidate) or type(reference) not in (list, tuple):
            return strict_equal(reference, candidate, 0.0, 0.0)
        return Counter(map(_key, reference)) == Counter(map(_key, candidate))

    def describe(self) -> str:
        return "unordered"


@dataclass(frozen=True)
class Custom(Equality):
    function: Callable[[Any, Any], bool]

    def same(self, reference: Any, candidate: Any) -> bool:
        return bool(self.function(decode(reference), decode(candidate)))

    def describe(self) -> str:
        return getattr(self.function, "__qualname__", repr(self.function))


def exact() -> Equality:
    """Same types and values (the default)."""
    return Exact()


def approx(rel: float = 1e-9, abs: float = 0.0) -> Equality:  # noqa: A002 (mirrors math.isclose)
    """Floats equal within ``rel`` or ``abs`` (as ``math.isclose``); all else exact."""
    return Approx(rel=rel, abs=abs)


def unordered() -> Equality:
    """A list or tuple result compared as a multiset: order is not part of the contract."""
    return Unordered()


def as_equality(value: object) -> Equality:
    """The Equality a spec's ``equal=`` stands for."""
    if value is None or value == "exact":
        return Exact()
    if isinstance(value, Equality):
        return value
    if value == "unordered":
        return Unordered()
    if callable(value):
        return Custom(value)
    raise SpecError(
        f"same_results(equal=...) must be 'exact', 'unordered', signoff.approx(...), "
        f"signoff.unordered() or a function (reference, candidate) -> bool, not {value!r}"
    )


def strict_equal(a: Any, b: Any, rel: float, tol: float) -> bool:
    """Same type at every level and equal values.

    Floats compare as ``math.isclose(rel_tol=rel, abs_tol=tol)``, and NaN equals NaN.
    """
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is float:
        if a == b or (a != a and b != b):
            return True
        return bool(rel or tol) and math.isclose(a, b, rel_tol=rel, abs_tol=tol)
    if kind is complex:
        return strict_equal(a.real, b.real, rel, tol) and strict_equal(a.imag, b.imag, rel, tol)
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(strict_equal(x, y, rel, tol) for x, y in zip(a, b, strict=True))
    if kind is dict:
        if a.keys() != b.keys():
            return False
        return all(strict_equal(value, b[key], rel, tol) for key, value in a.items())
    if kind is set or kind is frozenset:
        return Counter(map(_key, a)) == Counter(map(_key, b))
    return bool(a == b)  # str, bytes, int, bool, None: exact types already checked


def _key(value: Any) -> Any:
    """A hashable key that is equal exactly when values are strictly equal."""
    kind = type(value)
    if kind is float and value != value:
        return (float, "nan")
    if kind is float and value == 0.0:
        return (float, 0.0)
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_key(item) for item in value))
    if kind is dict:
        return (dict, frozenset((_key(k), _key(v)) for k, v in value.items()))
    if kind is set or kind is frozenset:
        return (kind.__name__, frozenset(Counter(map(_key, value)).items()))
    return (kind.__name__, value)


def _numbers(value: Any) -> Iterator[float]:
    kind = type(value)
    if kind is float or kind is int:
        yield value
    elif kind is complex:
        yield value.real
        yield value.imag
    elif kind in (list, tuple, set, frozenset):
        for item in value:
            yield from _numbers(item)
    elif kind is dict:
        for item in value.values():
            yield from _numbers(item)


def _all_zero(value: Any) -> bool:
    """True when the value holds numbers and every one of them is zero."""
    seen = False
    for number in _numbers(value):
        if number != 0:
            return False
        seen = True
    return seen
