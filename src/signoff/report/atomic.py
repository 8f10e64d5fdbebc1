"""Writing a report file: atomically, and never over a file that is not a report of its kind.

A mistyped ``--json spec.py`` must not destroy the user's work: each report
kind says what it is and how to recognise a file of its own (``ReportKind``),
and an existing file is replaced only when it is one. The same rule refuses a
path before a run starts (``report.files.check_report_paths``) and when the
report is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from signoff.errors import SpecError


@dataclass(frozen=True)
class ReportKind:
    what: str  # "a signoff HTML report": how messages name it
    is_ours: Callable[[Path], bool]  # the file at this path is a report of this kind

    def refuse(self, path: Path, option: str = "") -> None:
        """SpecError for a path this kind must not be written to: a folder, or a stranger's file;
        ``option`` (``--html``) leads the message when the path came from the command line."""
        where = f"{option} {path}" if option else str(path)
        if path.is_dir() or path.name in ("", ".", ".."):
            raise SpecError(f"{where}: is a folder; give a file name for {self.what}")
        blocking = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
        if blocking is not None:
            raise SpecError(f"{where}: {blocking} is a file, not a folder to write {self.what} in")
        if path.exists() and not self.is_ours(path):
            raise SpecError(f"{where}: the file exists and is not {self.what}; refusing to overwrite it "
                            "(remove it or choose another name)")


def write_atomically(text: str, path: Path, kind: ReportKind, option: str = "") -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, never over a stranger's file
    (SpecError, the file left as it was)."""
    kind.refuse(path, option)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            os.unlink(temporary)
        if isinstance(error, OSError):  # a read-only folder, no space left: the path is the user's to fix
            where = f"{option} {path}" if option else str(path)
            raise SpecError(f"{where}: cannot write {kind.what} there: {error.strerror or error}") from None
        raise


def read_head(path: Path, size: int = 4096) -> str:
    """The first ``size`` bytes of a file as text; empty when it cannot be read."""
    try:
        with path.open("rb") as file:
            return file.read(size).decode("utf-8", errors="replace")
    except OSError:
        return ""
