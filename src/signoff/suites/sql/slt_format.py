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
from decimal import Decimal
from fractions import Fraction

Formatter = Callable[[object], str]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1
_TO_AT = bytes(b if 0x20 <= b <= 0x7E else 0x40 for b in range(256))
_INT_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?)0*([0-9]*)")
_REAL_PREFIX = re.compile(rb"[ \t\n\v\f\r]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


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


def sqlite_fixed3(number: float) -> str:
    """SQLite's ``printf('%.3f', number)``: 7348.3965 is ``7348.397``, -0.0 is ``0.000``."""
    return _sqlite_printf(number, 3, generic=False)


def sqlite_real_text(number: float) -> str:
    """SQLite's text for a real, ``printf('%!.15g', number)``: ``1.0``, ``0.1``, ``1.0e+20``."""
    return _sqlite_printf(number, 15, generic=True)


# SQLite (3.40) formats reals with its own printf, in x87 80-bit long double
# arithmetic: a rounder is added (for %f also 3e-16 of the value, so that a
# decimal tie stored just below itself still rounds up), the value is scaled
# into [1, 10) and its digits are read one by one by truncation, at most 16
# significant ones for %f (26 for %!g), the rest printed as 0. Each long double
# step is emulated below with exact fractions rounded to a 64-bit significand,
# so the digits agree with SQLite's even at binary ties and beyond 1e100.

_ROUNDERS = tuple(Fraction(float(f"5.0e-{k + 1}")) for k in range(10))  # arRound[], doubles
_E_MINUS_10 = Fraction(1.0e-10)
_E_MINUS_8 = Fraction(1.0e-8)
_E8 = Fraction(1.0e8)
_E10 = Fraction(1.0e10)
_E100 = Fraction(1.0e100)
_TENTH = Fraction(0.1)
_FUDGE = Fraction(3e-16)


def _ld(value: Fraction) -> Fraction:
    """``value`` rounded to an x87 long double: 64-bit significand, ties to even."""
    if not value:
        return value
    size = abs(value)
    exponent = size.numerator.bit_length() - size.denominator.bit_length()
    if size < Fraction(2) ** exponent:
        exponent -= 1
    shift = 63 - exponent
    scaled = size * Fraction(2) ** shift
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and whole % 2):
        whole += 1
    rounded = Fraction(whole) / Fraction(2) ** shift
    return rounded if value > 0 else -rounded


def _sqlite_printf(number: float, precision: int, *, generic: bool) -> str:
    """SQLite's ``%.<precision>f`` or, when ``generic``, ``%!.<precision>g``."""
    if math.isnan(number):
        return "NaN"
    prefix = "-" if number < 0.0 else ""
    value = Fraction(abs(number)) if not math.isinf(number) else Fraction(10) ** 400
    if generic and precision > 0:
        precision -= 1
    index = precision
    rounder = _ROUNDERS[index % 10]
    while index >= 10:
        rounder = _ld(rounder * _E_MINUS_10)
        index -= 10
    if not generic:
        binary_exponent = math.frexp(number)[1] - 1 if number else -1023
        if precision + int(binary_exponent / 3) < 15:  # C division truncates toward zero
            rounder = _ld(rounder + _ld(value * _FUDGE))
        value = _ld(value + rounder)
    exp = 0
    if value > 0:
        scale = Fraction(1)
        for step, size in ((_E100, 100), (_E10, 10), (Fraction(10), 1)):
            while value >= _ld(step * scale) and exp <= 350:
                scale = _ld(scale * step)
                exp += size
        value = _ld(value / scale)
        while value < _E_MINUS_8:
            value = _ld(value * _E8)
            exp -= 8
        while value < 1:
            value = _ld(value * 10)
            exp -= 1
        if exp > 350:
            return prefix + "Inf"
    exponent_form = False
    if generic:
        value = _ld(value + rounder)
        if value >= 10:
            value = _ld(value * _TENTH)
            exp += 1
        exponent_form = exp < -4 or exp > precision
        if not exponent_form:
            precision -= exp
    digits_left = 26 if generic else 16  # the '!' flag allows 26 significant digits

    def digit() -> str:
        nonlocal value, digits_left
        if digits_left <= 0:
            return "0"
        digits_left -= 1
        whole = int(value)
        value = _ld((value - whole) * 10)
        return str(whole)

    out = [prefix]
    before = 0 if exponent_form else exp
    if before < 0:
        out.append("0")
    else:
        out.extend(digit() for _ in range(before + 1))
    out.append(".")  # %.3f has precision > 0, and '!' always keeps the point
    out.extend("0" for _ in range(min(-before - 1, precision)))
    precision -= max(0, min(-before - 1, precision))
    out.extend(digit() for _ in range(precision))
    text = "".join(out)
    if generic:  # drop trailing zeros, but keep one digit after the point
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    if exponent_form:
        text += f"e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return text
