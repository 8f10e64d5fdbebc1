"""Outcomes of one call, and how a candidate's outcome differs from the reference's.

An outcome is a value (returned, raised, or a failure of the process), so
comparing two implementations is comparing two outcomes, not two return
values. Outcomes travel as marshal bytes; equal bytes mean equal outcomes, so
most comparisons never decode anything.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass
from typing import Any, Literal

from signoff.equality import Equality, decode
from signoff.runner.worker_main import PROTOCOL_BROKEN

# Fatal outcomes come from the process, not the function: the worker was
# killed or stopped, and the case could not finish.
FATAL = frozenset({"crash", "timeout", "memory", "flood", "unserializable"})

DifferenceKind = Literal[
    "value", "exception", "mutation", "nondeterministic",
    "crash", "timeout", "memory", "flood", "unserializable",
]

ExceptionMode = Literal["type", "message", "any"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One call's outcome, decoded."""

    status: str  # "ok", "raise", or one of FATAL
    detail: tuple[Any, ...]  # ok: (result,); raise: (type, message); fatal: the cause
    arguments: tuple[Any, Any] | None  # (args, kwargs) after the call, when known

    @classmethod
    def from_bytes(cls, data: bytes, *, values: bool = True) -> Outcome:
        """The outcome in ``data``; a crash saying so when ``data`` is not an outcome a worker
        sends (code in the worker wrote on signoff's pipe, or crafted a reply). ``values=False``
        for a caller that reads only the status: the values are not tried (a decode costs 5x the
        load on a large result), and must be before they are used."""
        try:
            raw = marshal.loads(data)
            if not _well_formed(raw):
                return PROTOCOL_VIOLATION
            if values and raw[0] in ("ok", "raise"):  # what a report or a comparison decodes, decodes
                decode(raw[1] if raw[0] == "ok" else None)
                decode(raw[-2:])  # the arguments after the call
        except (ValueError, EOFError, TypeError, RecursionError):
            return PROTOCOL_VIOLATION
        status = raw[0]
        if status == "ok":
            return cls("ok", (raw[1],), None if raw[2] is None else (raw[2], raw[3]))
        if status == "raise":
            return cls("raise", (raw[1], raw[2]), None if raw[3] is None else (raw[3], raw[4]))
        return cls(status, tuple(raw[1:]), None)

    def describe(self) -> str:
        """What happened, for a person: ``returned [1, 2]``, ``raised ValueError: x``."""
        if self.status == "ok":
            return f"returned {_short(repr(decode(self.detail[0])))}"
        if self.status == "raise":
            name = self.detail[0].removeprefix("builtins.")
            return f"raised {name}" + (f": {_short(self.detail[1])}" if self.detail[1] else "")
        return describe_fatal(self)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "text": self.describe()}
        if self.status == "ok":
            data["value"] = repr(decode(self.detail[0]))
        elif self.status == "raise":
            data["type"], data["message"] = self.detail
        if self.arguments is not None:
            data["arguments_after"] = repr(decode(self.arguments))
        return data


# What each status carries after it, as ``runner.worker_main.outcome`` and ``runner.process``'s
# ``*_outcome`` write it: ``object`` for a value of any type (a result, the arguments after).
_FIELDS: dict[str, tuple[type | tuple[type, ...], ...]] = {
    "ok": (object, object, object),
    "raise": (str, str, object, object),
    "memory": (),
    "crash": (str,),
    "timeout": ((int, float),),
    "flood": (int,),
    "unserializable": (str, str),
}
PROTOCOL_VIOLATION = Outcome("crash", (PROTOCOL_BROKEN,), None)


def _well_formed(raw: object) -> bool:
    if type(raw) is not tuple or not raw or not isinstance(raw[0], str) or raw[0] not in _FIELDS:
        return False
    fields = _FIELDS[raw[0]]
    return len(raw) == 1 + len(fields) and all(isinstance(v, t) for v, t in zip(raw[1:], fields, strict=True))


def describe_fatal(outcome: Outcome) -> str:
    status, detail = outcome.status, outcome.detail
    if status == "crash":
        return f"worker {detail[0]}"
    if status == "timeout":
        return f"timed out after {detail[0]:g} s"
    if status == "memory":
        return "ran out of memory (hit the worker's memory limit)"
    if status == "flood":
        return f"flooded stdout/stderr ({detail[0]:,} bytes in one call)"
    return f"returned a {detail[0]} that cannot be compared: {detail[1]}"


@dataclass(frozen=True, slots=True)
class Difference:
    """How the candidate's outcome differs from the reference's, in words."""

    kind: DifferenceKind
    summary: str


def compare(
    reference: bytes, candidate: bytes, equal: Equality, exceptions: ExceptionMode
) -> Difference | None:
    """None when the candidate's outcome counts as the reference's; else how it differs."""
    if reference == candidate:
        return None
    ref, cand = Outcome.from_bytes(reference), Outcome.from_bytes(candidate)
    if cand.status in FATAL:
        return Difference(cand.status, describe_fatal(cand))  # type: ignore[arg-type]
    if ref.status != cand.status:
        return Difference("exception", f"reference {ref.describe()}, candidate {cand.describe()}")
    if ref.status == "ok" and not equal.same(ref.detail[0], cand.detail[0]):
        return Difference("value", f"reference {ref.describe()}, candidate {cand.describe()}")
    if ref.status == "raise" and not _same_exception(ref, cand, exceptions):
        return Difference("exception", f"reference {ref.describe()}, candidate {cand.describe()}")
    if ref.arguments is not None and cand.arguments is not None:
        if not Equality().same(ref.arguments, cand.arguments):
            return Difference(
                "mutation",
                "the arguments differ after the call: reference leaves "
                f"{_short(repr(decode(ref.arguments)))}, candidate "
                f"{_short(repr(decode(cand.arguments)))}",
            )
    return None


def compare_repeat(first: bytes, again: bytes) -> Difference | None:
    """None when a repeated call on an equal input gave the same outcome."""
    if first == again:
        return None
    one, two = Outcome.from_bytes(first), Outcome.from_bytes(again)
    if two.status in FATAL and one.status not in FATAL:
        return Difference(two.status, describe_fatal(two))  # type: ignore[arg-type]
    if compare(first, again, Equality(), "message") is None:
        return None
    return Difference(
        "nondeterministic",
        f"the same input gave two outcomes: first {one.describe()}, then {two.describe()}",
    )


def _same_exception(ref: Outcome, cand: Outcome, mode: ExceptionMode) -> bool:
    if mode == "any":
        return True
    if ref.detail[0] != cand.detail[0]:
        return False
    return mode == "type" or ref.detail[1] == cand.detail[1]


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
