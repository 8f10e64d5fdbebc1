"""The reference's outcomes on a task's supplied inputs, kept between batches.

The reference is trusted and its supplied inputs are fixed, so its outcomes
(and its slowest call, which sets a sample's time limit) are computed once
and reused by later batches on the same task, as EvalPlus keeps its expected
outputs: a batch then starts no reference worker at all for a task without
generated inputs. An entry is found by a digest of everything its outcomes
depend on: the reference's source and entry point, the pickled inputs, the
worker's limits, the Python version, and the source of signoff's worker (the
outcome format). A missing, unreadable or corrupt entry is computed again.

Files are ``<digest>.outcomes``: a zlib-compressed marshal of
``(outcomes, unfinished, slowest_s)``, written atomically.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from signoff.runner import worker_main

_WORKER_SOURCE = Path(worker_main.__file__).read_bytes()
_FORMAT = b"signoff.batch.cache/1"


@dataclass(frozen=True)
class ReferenceOutcomes:
    outcomes: dict[bytes, bytes]  # the reference's outcome per pickled input
    unfinished: set[bytes]  # the inputs it could not finish (crash, timeout, ...)
    slowest_s: float  # an upper bound of its slowest call


def cache_key(reference: str, entry_point: str, cases: Sequence[bytes], timeout_s: float,
              memory_bytes: int) -> str:
    digest = hashlib.sha256()
    for part in (_FORMAT, _WORKER_SOURCE, sys.version.encode(), reference.encode("utf-8", "surrogatepass"),
                 entry_point.encode(), repr((timeout_s, memory_bytes)).encode()):
        digest.update(len(part).to_bytes(8, "big") + part)
    for case in cases:
        digest.update(len(case).to_bytes(8, "big") + case)
    return digest.hexdigest()


def load(folder: Path, key: str) -> ReferenceOutcomes | None:
    try:
        data = marshal.loads(zlib.decompress((folder / f"{key}.outcomes").read_bytes()))
        outcomes, unfinished, slowest = data
        if not (isinstance(outcomes, dict) and isinstance(unfinished, (set, frozenset))
                and isinstance(slowest, float)):
            return None
        return ReferenceOutcomes(outcomes, set(unfinished), slowest)
    except (OSError, ValueError, EOFError, TypeError, zlib.error):
        return None


def save(folder: Path, key: str, entry: ReferenceOutcomes) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = zlib.compress(marshal.dumps((entry.outcomes, entry.unfinished, entry.slowest_s), 2), 1)
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, folder / f"{key}.outcomes")
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError):
        pass
