"""JSONL files as signoff reads them: supplied inputs, tasks, samples.

One reader for all of them: gzipped or not, UTF-8, blank lines skipped, each
line with its number; a file that is missing, unreadable or not text is a
one-line SpecError naming the file and, where there is one, the line.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from signoff.errors import SpecError


def jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSONL file, gzipped or not, with their line numbers."""
    if not path.is_file():
        raise SpecError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rb") if gzipped else path.open("rb")) as lines:
            for number, data in enumerate(lines, 1):
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise SpecError(f"{path}:{number}: not JSONL text: byte {error.start + 1} of the line "
                                    "is not UTF-8") from None
                if line.strip():
                    yield number, line
    except (OSError, EOFError) as error:  # unreadable, or a gzip stream cut short
        raise SpecError(f"{path}: not JSONL text: {error}") from None
