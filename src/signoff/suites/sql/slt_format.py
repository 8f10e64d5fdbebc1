"""Render query results exactly as SQLite's sqllogictest driver does.

The reference driver (``slt_sqlite.c``) turns each value into text by the
column's type letter, through SQLite's C API:

- NULL is ``NULL``, whatever the letter;
- ``I``: ``sqlite3_column_int`` printed with ``%d``. That is a *32-bit* int:
  an integer keeps its low 32 bits (2**32 + 5 prints ``5``), a real is
  truncated toward zero (clamped to the 64-bit range first), text is read as
  the integer at its start (``'12abc'`` is 12, ``'abc'`` is 0);
- ``R``: ``sqlite3_column_double`` printed with SQLite's ``%.3f``: halves
  round away from zero (0.0625 is ``0.063``, where C's printf says
  ``0.062``), ``-0.0`` prints ``0.000``, at most 16 significant digits; text
  is read as the number at its start;
- ``T``: ``sqlite3_column_text``: an integer in decimal, a real as SQLite's
  ``%!.15g`` (``1.0``, ``0.1``, ``1.0e+20``), an empty string (or one that
  starts with a NUL byte) is ``(empty)``, and every byte outside
  ``' '..'~'`` becomes ``@`` (so ``é``, two bytes in UTF-8, is ``@@``).

Here values come from a DB-API driver, so the same rules are applied to the
Python values it returns (``int``, ``float``, ``str``, ``bytes``, ``None``;
``bool`` and ``Decimal`` from other drivers are read as numbers). Pass
``wrap_int32=False`` to print ``I`` values in full 64-bit instead: no longer
what the reference driver prints, but a difference in the high bits is then
visible when comparing two engines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

Formatter = Callable[[object], str]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1
_TO_AT = bytes(b if 0x20 <= b <= 0x7E else 0x40 for b in range(256))
_INT_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?)0*([0-9]*)")
_REAL_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_THOUSANDTH = Decimal("0.001")
_ROUND16 = Context(prec=16, rounding=ROUND_HALF_UP)
_ROUND15 = Context(prec=15, rounding=ROUND_HALF_UP)


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
    if isinstance(value, str):
        return _atoi64(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes | bytearray | memoryview):
        return _atoi64(bytes(value))
    return _atoi64(str(value).encode("utf-8", "surrogatepass"))


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
    if isinstance(value, str):
        return _atof(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes | bytearray | memoryview):
        return _atof(bytes(value))
    return _atof(str(value).encode("utf-8", "surrogatepass"))


def _atof(data: bytes) -> float:
    """``sqlite3AtoF``: the number at the start of ``data``, 0.0 when there is none."""
    match = _REAL_PREFIX.match(data)
    return float(match.group(1)) if match else 0.0


def _special(number: float) -> str | None:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    return None


def sqlite_fixed3(number: float) -> str:
    """SQLite's ``printf('%.3f', number)``."""
    special = _special(number)
    if special is not None:
        return special
    exact = Decimal(number)
    if exact.adjusted() >= 13:  # more than 16 significant digits before the point
        exact = _ROUND16.plus(exact)
    text = f"{exact.quantize(_THOUSANDTH, rounding=ROUND_HALF_UP):f}"
    return "0.000" if text == "-0.000" and number == 0.0 else text


def sqlite_real_text(number: float) -> str:
    """SQLite's text for a real, ``printf('%!.15g', number)``: ``1.0``, ``0.1``, ``1.0e+20``."""
    special = _special(number)
    if special is not None:
        return special
    if number == 0.0:
        return "0.0"  # -0.0 as well: SQLite tests realvalue<0.0 for the sign
    rounded = _ROUND15.plus(Decimal(number))
    sign, digits, exponent = rounded.as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + exponent  # digits before the decimal point
    if point - 1 < -4 or point - 1 > 14:
        head, tail = mantissa[0], mantissa[1:] or "0"
        power = point - 1
        text = f"{head}.{tail}e{'-' if power < 0 else '+'}{abs(power):02d}"
    elif point <= 0:
        text = "0." + "0" * -point + mantissa
    elif point >= len(mantissa):
        text = mantissa + "0" * (point - len(mantissa)) + ".0"
    else:
        text = f"{mantissa[:point]}.{mantissa[point:]}"
    return "-" + text if sign else text
