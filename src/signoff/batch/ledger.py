"""The batch table: which samples of a batch are judged, so ``--resume`` skips them.

Kept in its own SQLite file beside the results store (``.signoff/batch.db``),
so the store's schema does not change: the store records each sample's checks
for ``history``/``report``/``compare``; this file records that a sample is
finished, with its whole result, in one committed row. A sample is finished
exactly when its row exists, so a batch killed at any instant resumes without
redoing a finished sample and without losing one. A row counts on resume only
when the sample's program is unchanged (its digest) and the batch's settings
that can change a verdict are the same; without ``--seed`` a resumed batch
keeps the seed it was started with (``latest(..., seed=None)``).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from signoff.batch.judge import SampleResult
from signoff.errors import SignoffError

BATCH_DB = "batch.db"
_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, started_at TEXT NOT NULL,
    tasks TEXT NOT NULL, samples TEXT NOT NULL,  -- resolved paths
    settings TEXT NOT NULL,  -- JSON: what can change a verdict
    run_id TEXT,  -- the run in the results store, if recorded there
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS samples (
    batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL, idx INTEGER NOT NULL, digest TEXT NOT NULL,
    verdict TEXT NOT NULL, base_verdict TEXT, result TEXT NOT NULL, recorded_at TEXT NOT NULL,
    PRIMARY KEY (batch_id, task_id, idx)
);
"""


class LedgerError(SignoffError):
    """The batch table cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class Batch:
    id: str
    run_id: str | None
    settings: Mapping[str, Any]

    @property
    def seed(self) -> int:
        return int(self.settings.get("seed", 0))


class Ledger:
    """``.signoff/batch.db``; one connection, shared by threads under a lock; a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise LedgerError(f"cannot open the batch table {path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def folder(self, batch_id: str) -> Path:
        """Where a batch keeps its reference and sample files (replay commands point at them)."""
        return self.path.parent / "batch" / batch_id

    def _execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of ``sql``, fetched under the lock."""
        with self._lock:
            try:
                return self._db.execute(sql, parameters).fetchall()
            except sqlite3.Error as error:
                raise LedgerError(f"batch table {self.path}: {error}") from error

    def begin(self, tasks: Path, samples: Path, settings: Mapping[str, Any], run_id: str | None) -> Batch:
        now = datetime.now(UTC)
        batch_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        self._execute("INSERT INTO batches (id, started_at, tasks, samples, settings, run_id)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      (batch_id, now.isoformat(), str(tasks.resolve()), str(samples.resolve()),
                       _dumps(settings), run_id))
        return Batch(batch_id, run_id, dict(settings))

    def latest(self, tasks: Path, samples: Path, settings: Mapping[str, Any], *,
               seed: int | None) -> Batch | None:
        """The most recent batch on the same files with the same settings: the one to resume.
        ``seed`` None: any seed (the batch's own is kept); else that one."""
        rows = self._execute(
            "SELECT id, run_id, settings FROM batches WHERE tasks = ? AND samples = ?"
            " ORDER BY started_at DESC, id DESC",
            (str(tasks.resolve()), str(samples.resolve())))
        wanted = _without_seed(settings)
        for batch_id, run_id, text in rows:
            stored = json.loads(text)
            if _without_seed(stored) == wanted and (seed is None or stored.get("seed") == seed):
                return Batch(str(batch_id), run_id, stored)
        return None

    def set_run(self, batch_id: str, run_id: str) -> None:
        self._execute("UPDATE batches SET run_id = ? WHERE id = ?", (run_id, batch_id))

    def finished(self, batch_id: str) -> dict[tuple[str, int], SampleResult]:
        """Every recorded sample of the batch by (task_id, index), its digest kept."""
        rows = self._execute("SELECT task_id, idx, digest, result FROM samples WHERE batch_id = ?",
                             (batch_id,))
        return {(str(task_id), int(index)): SampleResult.from_json(json.loads(result), str(digest))
                for task_id, index, digest, result in rows}

    def record(self, batch_id: str, result: SampleResult) -> None:
        """One finished sample, committed before this returns (replacing an older row)."""
        self._execute(
            "INSERT OR REPLACE INTO samples (batch_id, task_id, idx, digest, verdict, base_verdict,"
            " result, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, result.task_id, result.index, result.digest, result.verdict, result.base_verdict,
             _dumps(result.to_json()), datetime.now(UTC).isoformat()))

    def finish(self, batch_id: str) -> None:
        self._execute("UPDATE batches SET finished_at = ? WHERE id = ?",
                      (datetime.now(UTC).isoformat(), batch_id))


def _without_seed(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as stored (JSON round trip), less the seed."""
    return {key: value for key, value in json.loads(_dumps(settings)).items() if key != "seed"}


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)
