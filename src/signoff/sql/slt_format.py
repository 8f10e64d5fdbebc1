"""Render query results as SQLite's sqllogictest driver does.

The reference driver (``slt_sqlite.c``) turns each value into text by the
column's type letter, through SQLite's C API:

- NULL is ``NULL``, whatever the letter;
- ``I``: ``sqlite3_column_int`` printed with ``%d``. That is a *32-bit* int:
  an integer keeps its low 32 bits (2**32 + 5 prints ``5``), a real is
  truncated toward zero (clamped to the 64-bit range first), text is read as
  the integer at its start (``'12abc'`` is 12, ``'abc'`` is 0);
- ``R``: ``sqlite3_column_double`` printed with SQLite's own ``%.3f``; text
  is read as the number at its start;
- ``T``: ``sqlite3_column_text``: an integer in decimal, a real as SQLite's
  ``%!.15g`` (``1.0``, ``0.1``, ``1.0e+20``); an empty string (or one that
  starts with a NUL byte) is ``(empty)``; every byte outside ``' '..'~'``
  becomes ``@`` (``é``, two bytes in UTF-8, is ``@@``).

SQLite's printf of reals has changed across versions, and the corpus
follows the recent ones: the exact binary value is rounded half away from
zero, to at most 16 significant digits for ``%.3f`` (so -2**63 is
``-9223372036854776000.000``, as evidence/slt_lang_aggfunc.test expects;
SQLite 3.40, the one Python 3.11 ships here, truncates to ``...775000.000``
and rounds 7348.3965 up to ``7348.397``). That is what is done here, with
exact decimal arithmetic. Checked against SQLite 3.54's printf on 120,000
random doubles, it differs only for a few reals beyond 1e16 in ``%.3f``
(SQLite rounds twice there). SQLite 3.53 and later render a real as text
with up to 17 digits; the long-standing 15 are kept here, so that an engine
is not failed on the last bits of a floating-point sum.

Values come from a DB-API driver, so the rules apply to the Python values it
returns (``int``, ``float``, ``str``, ``bytes``, ``None``; ``bool`` and
``Decimal`` from other drivers are read as numbers). ``wrap_int32=False``
prints ``I`` values in full 64 bits: not what the reference driver prints,
but a difference in the high bits then shows when two engines are compared.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from itertools import chain
from typing import cast

from signoff.sql.slt_parser import HashedResult, SortMode

Formatter = Callable[[object], str]

DEFAULT_HASH_THRESHOLD = 8  # sqllogictest.c's default, when a file sets none

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1
_TO_AT = bytes(b if 0x20 <= b <= 0x7E else 0x40 for b in range(256))
_INT_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?)0*([0-9]*)")
_THOUSANDTH = Decimal("0.001")
_SIXTEEN_DIGITS = Context(prec=16, rounding=ROUND_HALF_UP)
_FIFTEEN_DIGITS = Context(prec=15, rounding=ROUND_HALF_UP)
_WIDE = Context(prec=400)  # room for any double in fixed notation
_REAL_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A query's result as sqllogictest sees it: formatted values, sorted per the sort mode."""

    values: tuple[str, ...]
    columns: int
    md5: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "md5", md5_of(self.values))

    @property
    def rows(self) -> int:
        return len(self.values) // self.columns if self.columns else 0

    def hashed(self) -> HashedResult:
        return HashedResult(len(self.values), self.md5)

    def matches(self, expected: tuple[str, ...] | HashedResult) -> bool:
        """Whether this is the result a ``.test`` file expects: same values, or same hash."""
        if isinstance(expected, HashedResult):
            return expected.count == len(self.values) and expected.md5 == self.md5
        return expected == self.values

    def shown(self, hash_threshold: int = DEFAULT_HASH_THRESHOLD) -> tuple[str, ...]:
        """The lines a ``.test`` file would hold: the values, or their hash past the threshold."""
        if 0 < hash_threshold < len(self.values):
            return (str(self.hashed()),)
        return self.values


def md5_of(values: Sequence[str]) -> str:
    """The md5 sqllogictest takes of a result: each value followed by a newline."""
    text = "\n".join(values) + "\n" if values else ""
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


def format_result(
    rows: Iterable[Sequence[object]], types: str, sort: SortMode, *, wrap_int32: bool = True
) -> QueryResult:
    """Render ``rows`` by the type letters, then sort: the driver's ``azResult``.

    Rows sort as lists of strings (``rowsort``: the driver's strcmp column by
    column), values one by one (``valuesort``). A column beyond ``types`` is
    rendered as text; rows of unequal length raise ``ValueError``.
    """
    rows = list(rows)
    width = max(len(types), max(map(len, rows), default=0))
    letters = types.ljust(width, "T")
    columns = [
        _format_column(column, letter, wrap_int32)
        for column, letter in zip(zip(*rows, strict=True), letters, strict=False)
    ]
    if sort == "rowsort" and width > 1:
        values = list(chain.from_iterable(sorted(zip(*columns, strict=True))))
    else:
        values = list(chain.from_iterable(zip(*columns, strict=True)))
        if sort != "nosort":
            values.sort()
    return QueryResult(tuple(values), width)


def _format_column(column: Sequence[object], letter: str, wrap_int32: bool) -> list[str]:
    """One column's values as text; a column of plain values takes a fast path."""
    kinds = set(map(type, column))
    if letter == "I" and kinds == {int}:
        ints = cast("Sequence[int]", column)
        low, high = (_INT32_MIN, _INT32_MAX) if wrap_int32 else (_INT64_MIN, _INT64_MAX)
        if low <= min(ints) and max(ints) <= high:
            return list(map(str, ints))
    if letter == "T" and kinds == {str}:
        texts = cast("Sequence[str]", column)
        joined = "".join(texts)
        if joined.isascii() and joined.isprintable() and "" not in texts:
            return list(texts)
    return list(map(formatter(letter, wrap_int32=wrap_int32), column))


def formatter(letter: str, *, wrap_int32: bool = True) -> Formatter:
    """The function that renders one value of a column typed ``letter`` (I, T or R)."""
    if letter == "I":
        return format_int if wrap_int32 else format_int64
    if letter == "R":
        return format_real
    if letter == "T":
        return format_text
    raise ValueError(f"unknown type letter {letter!r}")


def format_int(value: object) -> str:
    """An ``I`` value: ``sqlite3_column_int`` (32 bits), then ``%d``."""
    if type(value) is int and _INT32_MIN <= value <= _INT32_MAX:
        return str(value)
    if value is None:
        return "NULL"
    wrapped = (_as_int64(value) - _INT32_MIN) % 2**32 + _INT32_MIN
    return str(wrapped)


def format_int64(value: object) -> str:
    """An ``I`` value read as 64 bits (``sqlite3_column_int64``), then ``%lld``."""
    if value is None:
        return "NULL"
    return str(_as_int64(value))


def format_real(value: object) -> str:
    """An ``R`` value: ``sqlite3_column_double``, then SQLite's ``%.3f``."""
    if value is None:
        return "NULL"
    return sqlite_fixed3(_as_double(value))


def format_text(value: object) -> str:
    """A ``T`` value: ``sqlite3_column_text``, ``(empty)`` for "", ``@`` for unprintable bytes."""
    if type(value) is str:
        if value.isascii() and value.isprintable() and value:
            return value
        return _printable(value.encode("utf-8", "surrogatepass"))
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return sqlite_real_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return _printable(bytes(value))
    return _printable(str(value).encode("utf-8", "surrogatepass"))


def _printable(data: bytes) -> str:
    data = data.split(b"\0", 1)[0]  # C strings end at the first NUL
    if not data:
        return "(empty)"
    return data.translate(_TO_AT).decode("ascii")


def _as_int64(value: object) -> int:
    """``sqlite3VdbeIntValue``: what ``sqlite3_column_int64`` returns for ``value``."""
    if isinstance(value, int):  # bool too
        return min(max(int(value), _INT64_MIN), _INT64_MAX)
    if isinstance(value, float):
        return _double_to_int64(value)
    if isinstance(value, Decimal):
        return _double_to_int64(float(value)) if not value.is_finite() else _clamp(int(value))
    return _atoi64(_text_bytes(value))


def _text_bytes(value: object) -> bytes:
    """The bytes SQLite reads a number from: a blob as it is, text (or anything else, as text) in UTF-8."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def _clamp(number: int) -> int:
    return min(max(number, _INT64_MIN), _INT64_MAX)


def _double_to_int64(number: float) -> int:
    if math.isnan(number):
        return _INT64_MIN  # what (i64)NaN gives on x86-64; SQLite itself never stores NaN
    if number <= _INT64_MIN:
        return _INT64_MIN
    if number >= _INT64_MAX:
        return _INT64_MAX
    return int(number)  # truncates toward zero, like the C cast


def _atoi64(data: bytes) -> int:
    """``sqlite3Atoi64``: the integer at the start of ``data``, clamped to 64 bits."""
    match = _INT_PREFIX.match(data)
    assert match is not None  # every part of the pattern may be empty
    digits = match.group(2)
    if not digits:
        return 0
    number = int(digits)
    return _clamp(-number if match.group(1) == b"-" else number)


def _as_double(value: object) -> float:
    """``sqlite3VdbeRealValue``: what ``sqlite3_column_double`` returns for ``value``."""
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    return _atof(_text_bytes(value))


def _atof(data: bytes) -> float:
    """``sqlite3AtoF``: the number at the start of ``data``, 0.0 when there is none."""
    match = _REAL_PREFIX.match(data)
    return float(match.group(1)) if match else 0.0


def sqlite_fixed3(number: float) -> str:
    """SQLite's ``printf('%.3f', number)``: 2.0005 is ``2.001``, -0.0 is ``0.000``."""
    special = _special(number)
    if special is not None:
        return special
    value = Decimal(number)  # exact
    if value.adjusted() >= 13:  # more than 16 significant digits before the point
        value = _SIXTEEN_DIGITS.plus(value)
    text = f"{value.quantize(_THOUSANDTH, ROUND_HALF_UP, _WIDE):f}"
    return "0.000" if number == 0.0 else text


def sqlite_real_text(number: float) -> str:
    """SQLite's text for a real, ``printf('%!.15g', number)``: ``1.0``, ``0.1``, ``1.0e+20``."""
    special = _special(number)
    if special is not None:
        return special
    if number == 0.0:
        return "0.0"
    rounded = _FIFTEEN_DIGITS.plus(Decimal(number))
    sign, digit_tuple, exponent = rounded.as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    point = len(digit_tuple) + exponent  # how many digits stand before the decimal point
    if not -4 <= point - 1 <= 14:
        text = f"{digits[0]}.{digits[1:] or '0'}e{'-' if point < 1 else '+'}{abs(point - 1):02d}"
    elif point <= 0:
        text = f"0.{'0' * -point}{digits}"
    elif point >= len(digits):
        text = f"{digits}{'0' * (point - len(digits))}.0"
    else:
        text = f"{digits[:point]}.{digits[point:]}"
    return f"-{text}" if sign else text


def _special(number: float) -> str | None:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    return None
