"""Parse sqllogictest ``.test`` files into records.

The format is SQLite's (https://www.sqlite.org/sqllogictest), read the way its
reference driver ``sqllogictest.c`` reads it:

- records are separated by blank lines (a line of only whitespace is blank);
- a line starting with ``#`` is a comment wherever it appears, even inside a
  record; it neither ends the record nor belongs to it;
- ``skipif <engine>`` / ``onlyif <engine>`` lines guard the record that
  follows them in the same block (several guards may stack);
- ``statement ok|error`` then the SQL, up to the end of the record;
- ``query <types> [nosort|rowsort|valuesort] [label]`` then the SQL, a
  ``----`` line and the expected values, one per line, or a single
  ``N values hashing to <md5>`` line;
- ``hash-threshold N`` and ``halt`` are one-line records.

Every record carries ``line``: the 1-based line of its keyword (``statement``,
``query``, ...), which is where the reference driver points its messages;
guards sit on the lines above it. Text after ``#`` at the end of a keyword or
guard line is a comment.

``parse`` is strict: the first broken record raises ``SltParseError`` naming
the file, the line and the problem. ``parse_lenient`` keeps going: a broken
record becomes a ``BrokenRecord`` in its place, so a suite can report it and
run the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from signoff.errors import SpecError

SortMode = Literal["nosort", "rowsort", "valuesort"]
GuardKind = Literal["skipif", "onlyif"]

SORT_MODES: tuple[SortMode, ...] = ("nosort", "rowsort", "valuesort")
TYPE_LETTERS = frozenset("TIR")
_SPACE = " \t\n\v\f\r"  # C isspace(), which is what the reference driver uses
_WORD = re.compile(r"[^ \t\n\v\f\r]+")
_HASH_LINE = re.compile(r"(\d+) values hashing to (\S*)")
_MD5 = re.compile(r"[0-9a-f]{32}")
_NUMBER = re.compile(r"[0-9]+")
_SORTS: dict[str, SortMode] = {mode: mode for mode in SORT_MODES}


class SltParseError(SpecError):
    """A sqllogictest file that does not follow the format."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem

    def __reduce__(self) -> tuple[type[SltParseError], tuple[str, int, str]]:
        return (SltParseError, (self.path, self.line, self.problem))


@dataclass(frozen=True, slots=True)
class Guard:
    """``skipif engine`` or ``onlyif engine``; engine names compare case-blind."""

    kind: GuardKind
    engine: str

    def allows(self, engine: str) -> bool:
        match = self.engine.lower() == engine.lower()
        return not match if self.kind == "skipif" else match


@dataclass(frozen=True, slots=True)
class HashedResult:
    """An expected result given as its value count and md5."""

    count: int
    md5: str

    def __str__(self) -> str:
        return f"{self.count} values hashing to {self.md5}"


Expected = tuple[str, ...] | HashedResult


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    expect_ok: bool
    line: int
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    types: str
    sort: SortMode
    label: str | None
    expected: Expected
    line: int
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class HashThreshold:
    n: int
    line: int
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class Halt:
    line: int
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class BrokenRecord:
    """A record that does not parse; ``line`` is where the problem is."""

    path: str
    line: int
    problem: str
    text: str  # the record's lines (comments left out), for the report
    guards: tuple[Guard, ...] = ()

    @property
    def error(self) -> SltParseError:
        return SltParseError(self.path, self.line, self.problem)


Record = Statement | Query | HashThreshold | Halt


def applies(record: Record | BrokenRecord, engine: str) -> bool:
    """Whether ``record`` runs on ``engine``: every guard must allow it."""
    return all(guard.allows(engine) for guard in record.guards)


def parse(text: str, path: str = "<string>") -> list[Record]:
    """Every record of ``text``; the first broken one raises ``SltParseError``."""
    records: list[Record] = []
    for item in _records(text, path):
        if isinstance(item, BrokenRecord):
            raise item.error
        records.append(item)
    return records


def parse_lenient(text: str, path: str = "<string>") -> list[Record | BrokenRecord]:
    """Every record of ``text``, a ``BrokenRecord`` standing in for each broken one."""
    return list(_records(text, path))


def load(path: str | Path) -> list[Record]:
    """``parse`` the file at ``path``; errors name it as given."""
    return parse(read_text(path), str(path))


def load_lenient(path: str | Path) -> list[Record | BrokenRecord]:
    """``parse_lenient`` the file at ``path``; only an unreadable file raises."""
    return parse_lenient(read_text(path), str(path))


def read_text(path: str | Path) -> str:
    """The file's text as UTF-8; a byte that is not UTF-8 is a parse error at its line."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SltParseError(str(path), line, f"not UTF-8 ({exc.reason})") from None


class _Broken(Exception):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank, non-comment lines, each line with its 1-based number."""
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.startswith("#"):
            continue
        if not line.strip(_SPACE):
            if block:
                yield block
                block = []
            continue
        block.append((number, line))
    if block:
        yield block


def _tokens(line: int, text: str, at_most: int) -> list[str]:
    """The words of a keyword line, up to a ``#`` comment; more than ``at_most`` is an error."""
    words = _WORD.findall(text)
    for i, word in enumerate(words):
        if word.startswith("#"):
            words = words[:i]
            break
    if len(words) > at_most:
        extra = " ".join(words[at_most:])
        raise _Broken(line, f"unexpected {extra!r} after {' '.join(words[:at_most])!r}")
    return words


def _records(text: str, path: str) -> Iterator[Record | BrokenRecord]:
    for block in _blocks(text):
        guards: list[Guard] = []
        try:
            i = 0
            while _WORD.findall(block[i][1])[0] in ("skipif", "onlyif"):
                number, line = block[i]
                words = _tokens(number, line, 2)
                if len(words) < 2:
                    raise _Broken(number, f"{words[0]} needs an engine name")
                kind: GuardKind = "skipif" if words[0] == "skipif" else "onlyif"
                guards.append(Guard(kind, words[1]))
                i += 1
                if i == len(block):
                    raise _Broken(number, f"{words[0]} {words[1]} guards no record")
            yield _record(block[i:], tuple(guards))
        except _Broken as broken:
            body = "\n".join(line for _, line in block)
            yield BrokenRecord(path, broken.line, broken.problem, body, tuple(guards))


def _record(block: list[tuple[int, str]], guards: tuple[Guard, ...]) -> Record:
    number, head = block[0]
    keyword = _WORD.findall(head)[0]
    body = block[1:]
    if keyword == "statement":
        return _statement(number, head, body, guards)
    if keyword == "query":
        return _query(number, head, body, guards)
    if keyword in ("hash-threshold", "halt"):
        if body:
            raise _Broken(body[0][0], f"unexpected line after {keyword!r}: {body[0][1]!r}")
        if keyword == "halt":
            _tokens(number, head, 1)
            return Halt(number, guards)
        words = _tokens(number, head, 2)
        if len(words) < 2 or not _NUMBER.fullmatch(words[1]):
            raise _Broken(number, "hash-threshold needs a whole number, as in 'hash-threshold 8'")
        return HashThreshold(int(words[1]), number, guards)
    raise _Broken(number, f"unknown record type {keyword!r}")


def _statement(
    number: int, head: str, body: list[tuple[int, str]], guards: tuple[Guard, ...]
) -> Statement:
    words = _tokens(number, head, 2)
    if len(words) < 2 or words[1] not in ("ok", "error"):
        raise _Broken(number, "statement must be 'statement ok' or 'statement error'")
    if not body:
        raise _Broken(number, "statement has no SQL")
    sql = "\n".join(line for _, line in body)
    return Statement(sql, words[1] == "ok", number, guards)


def _query(
    number: int, head: str, body: list[tuple[int, str]], guards: tuple[Guard, ...]
) -> Query:
    words = _tokens(number, head, 4)
    if len(words) < 2:
        raise _Broken(number, "query needs a type string, as in 'query IT rowsort'")
    types = words[1]
    bad = sorted(set(types) - TYPE_LETTERS)
    if bad:
        raise _Broken(number, f"unknown type letter {bad[0]!r} in {types!r} (use I, T or R)")
    sort = _SORTS.get(words[2] if len(words) > 2 else "nosort")
    if sort is None:
        raise _Broken(number, f"unknown sort mode {words[2]!r} (use nosort, rowsort or valuesort)")
    label = words[3] if len(words) > 3 else None
    sql_lines: list[str] = []
    results: list[tuple[int, str]] | None = None
    for i, (_, line) in enumerate(body):
        if line == "----":
            results = body[i + 1 :]
            break
        sql_lines.append(line)
    if not sql_lines:
        raise _Broken(number, "query has no SQL")
    return Query(
        sql="\n".join(sql_lines),
        types=types,
        sort=sort,
        label=label,
        expected=_expected(results or []),
        line=number,
        guards=guards,
    )


def _expected(results: list[tuple[int, str]]) -> Expected:
    for number, line in results:
        hashed = _HASH_LINE.fullmatch(line)
        if hashed is None:
            continue
        if not _MD5.fullmatch(hashed.group(2)):
            raise _Broken(number, f"malformed hash result {line!r} (needs 32 lowercase hex digits)")
        if len(results) > 1:
            raise _Broken(number, "a hash result must be the only result line")
        return HashedResult(int(hashed.group(1)), hashed.group(2))
    return tuple(line for _, line in results)
