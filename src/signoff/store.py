"""The results store: every run recorded in an SQLite database (``.signoff/runs.db``).

Runs are written as they happen: ``begin_run``, then ``record_check`` (committed at
once, so a run killed half way keeps every finished check and is listed as
``unfinished``), then ``finish_run``. WAL mode and a busy timeout let several signoff
processes write at once. ``PRAGMA user_version`` holds the schema version and
``PRAGMA application_id`` marks the file as signoff's. Times are ISO 8601, in UTC.

One module over 400 lines, on purpose: the schema and every statement that
reads or writes it stay in one file, so a column is never changed in one
place and read the old way in another.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast, get_args

from signoff.errors import SignoffError
from signoff.verdict import CandidateResult, CheckResult, RunResult, Verdict, combine

DEFAULT_STORE = Path(".signoff") / "runs.db"
SCHEMA_VERSION = 2  # 2: checks.position
APPLICATION_ID = 0x5347_4E46  # "SGNF" in the SQLite header: this file is a signoff store
UNFINISHED = "unfinished"
LATEST_ALIASES = frozenset({"latest", "last"})

_BUSY_TIMEOUT_MS = 30_000
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u

_SCHEMA = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY, started_at TEXT NOT NULL, spec TEXT, reference TEXT NOT NULL,
    candidates TEXT NOT NULL,  -- JSON list of targets, in the order given
    seed INTEGER NOT NULL, command TEXT NOT NULL,
    environment TEXT NOT NULL,  -- JSON object from capture_environment()
    verdict TEXT, duration_s REAL, finished_at TEXT  -- NULL until finish_run
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE TABLE checks (
    id INTEGER PRIMARY KEY,  -- insertion order
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    candidate TEXT NOT NULL, criterion TEXT NOT NULL, verdict TEXT NOT NULL,
    summary TEXT NOT NULL, evidence TEXT NOT NULL,  -- JSON object
    recorded_at TEXT NOT NULL,
    position INTEGER  -- its place among the candidate's checks in the report (NULL: as recorded)
);
CREATE INDEX checks_by_run ON checks (run_id, id);
"""

_SUMMARY_COLUMNS = "id, started_at, spec, reference, candidates, verdict, duration_s"


class StoreError(SignoffError):
    """The results store cannot be opened, or a run asked of it does not exist."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One line of ``signoff history``. ``verdict`` is ``"unfinished"`` until the run ends."""

    id: str
    started_at: datetime
    spec: str | None
    reference: str
    candidates: tuple[str, ...]
    verdict: str
    duration_s: float | None

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(RunSummary)}
        return data | {
            "started_at": self.started_at.isoformat(),
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True, slots=True)
class StoredRun(RunSummary):
    """A whole stored run; ``result`` is rebuilt from the checks as they were recorded."""

    seed: int
    command: str
    environment: Mapping[str, Any]
    result: RunResult


@dataclass(frozen=True, slots=True)
class CheckChange:
    """One (candidate, criterion) across two runs; ``None`` where a run lacks it."""

    candidate: str
    criterion: str
    verdict_before: str | None
    verdict_after: str | None
    ratio_before: float | None = None
    ratio_after: float | None = None
    class_before: str | None = None
    class_after: str | None = None

    @property
    def regressed(self) -> bool:
        """The check was a pass and is not one now (fail, inconclusive, error or gone)."""
        return self.verdict_before == "pass" and self.verdict_after != "pass"

    @property
    def changed(self) -> bool:
        return (
            self.verdict_before != self.verdict_after
            or self.ratio_before != self.ratio_after
            or self.class_before != self.class_after
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "criterion": self.criterion,
            "changed": self.changed,
            "verdict": {"before": self.verdict_before, "after": self.verdict_after},
            "ratio": {"before": self.ratio_before, "after": self.ratio_after},
            "candidate_class": {"before": self.class_before, "after": self.class_after},
        }


def changes_to_json(changes: Sequence[CheckChange]) -> list[dict[str, Any]]:
    """``compare()``'s result as JSON-able dicts, in the same order."""
    return [change.to_json() for change in changes]


class Store:
    """The results database at ``path``, created with its directory when missing.

    One connection, safe to share between threads; a context manager, or call ``close()``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path,
                timeout=_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the results store {self.path}: {exc}") from exc
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._check_header(*_header(db))  # before changing anything in the file
            _use_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")  # durable across crashes of signoff
            db.execute("PRAGMA foreign_keys = ON")
            # Re-read under the write lock: another process may be creating the store too.
            # On failure the connection is closed unused, which rolls back.
            db.execute("BEGIN IMMEDIATE")
            version, app_id, tables = _header(db)
            self._check_header(version, app_id, tables)
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            elif version == 1:  # its checks keep a NULL position: read in the order recorded
                db.execute("ALTER TABLE checks ADD COLUMN position INTEGER")
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:  # a plain DatabaseError: "file is not a database"
            plain = type(exc) is sqlite3.DatabaseError
            reason = "is not a signoff results store" if plain else "cannot be opened"
            raise StoreError(f"{self.path} {reason} ({exc})") from exc

    def _check_header(self, version: int, app_id: int, tables: int) -> None:
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and (version != 0 or tables)):
            raise StoreError(
                f"{self.path} is an SQLite database but not a signoff results store; "
                "move it away or pass another store path"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer signoff (store schema {version}; this "
                f"version reads up to {SCHEMA_VERSION}); upgrade signoff to read it"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the connection; database failures become ``StoreError``."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise StoreError(f"results store {self.path}: {exc}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def begin_run(
        self,
        *,
        spec: str | None,
        reference: str,
        candidates: Sequence[str],
        seed: int,
        command: str,
        environment: Mapping[str, Any],
    ) -> str:
        """Record the start of a run and return its id (e.g. ``20250509-073525-k3f9``)."""
        started = datetime.now(UTC)
        row = (spec, reference, _dumps(list(candidates)), seed, command, _dumps(dict(environment)))
        with self._locked():
            for _ in range(20):
                run_id = f"{started:%Y%m%d-%H%M%S}-{_suffix()}"
                try:
                    self._db.execute(
                        "INSERT INTO runs (id, started_at, spec, reference, candidates, seed,"
                        " command, environment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (run_id, _stamp(started), *row),
                    )
                except sqlite3.IntegrityError:
                    continue  # the same id drawn twice in one second: draw again
                return run_id
        raise StoreError(f"could not find a free run id in {self.path}")

    def record_check(self, run_id: str, candidate: str, check: CheckResult,
                     position: int | None = None) -> None:
        """Store one check of ``candidate``; committed before this returns. ``position`` is its
        place in the report when that differs from the order the checks end in."""
        row = (run_id, candidate, check.criterion, check.verdict, check.summary)
        with self._locked():
            try:
                self._db.execute(
                    "INSERT INTO checks (run_id, candidate, criterion, verdict, summary,"
                    " evidence, recorded_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*row, _dumps(dict(check.evidence)), _stamp(), position),
                )
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"no run {run_id!r} in {self.path}") from exc

    def finish_run(self, run_id: str, verdict: str, duration_s: float,
                   environment: Mapping[str, Any] | None = None) -> None:
        """Record the combined verdict and the duration of a run; ``environment``, when given,
        replaces the one ``begin_run`` recorded (completed when the work ended: the load average
        then, the noise figure)."""
        completed = None if environment is None else _dumps(dict(environment))
        with self._locked():
            cursor = self._db.execute(
                "UPDATE runs SET verdict = ?, duration_s = ?, finished_at = ?,"
                " environment = COALESCE(?, environment) WHERE id = ?",
                (verdict, float(duration_s), _stamp(), completed, run_id),
            )
        if cursor.rowcount != 1:
            raise StoreError(f"no run {run_id!r} in {self.path}")

    def list_runs(self, limit: int | None = 20) -> list[RunSummary]:
        """The most recent runs, newest first; ``limit=None`` for all of them."""
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM runs ORDER BY started_at DESC, id DESC LIMIT ?"
        with self._locked():  # LIMIT -1: no limit
            rows = self._db.execute(sql, (-1 if limit is None else max(limit, 0),)).fetchall()
        return [_summary(row) for row in rows]

    def resolve(self, ref: str) -> str:
        """The id of the run ``ref`` names: an id, a prefix of one, its random suffix,
        ``latest``/``last``, or ``latest~N`` (the run N before the latest)."""
        key = ref.strip().lower()
        if not key:
            raise StoreError("an empty run id names no run; `signoff history` lists them")
        alias, tilde, back = key.partition("~")
        if alias in LATEST_ALIASES:
            if tilde and not back.isdigit():
                raise StoreError(f"{ref!r}: after '~' comes how many runs back, as in latest~1")
            steps = int(back) if tilde else 0
            runs = self.list_runs(limit=steps + 1)
            if len(runs) > steps:
                return runs[steps].id
            raise StoreError(f"{ref!r}: {self.path} holds {len(runs)} run(s)" if runs
                             else f"no runs recorded in {self.path} yet")
        with self._locked():  # a prefix of the id, else its random suffix alone ("k3f9")
            ids = self._ids_where(1, key) or self._ids_where(17, key)
        if key in ids:
            return key
        if len(ids) == 1:
            return str(ids[0])
        if not ids:
            raise StoreError(
                f"no run matches {ref!r} in {self.path}; `signoff history` lists the runs"
            )
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        raise StoreError(f"{ref!r} is ambiguous: it matches {len(ids)} runs ({shown})")

    def _ids_where(self, start: int, key: str) -> list[str]:
        sql = "SELECT id FROM runs WHERE substr(id, ?, ?) = ? ORDER BY id"
        return [str(row[0]) for row in self._db.execute(sql, (start, len(key), key))]

    def load_run(self, ref: str) -> StoredRun:
        """The run ``ref`` names (see ``resolve``), with every check recorded for it."""
        run_id = self.resolve(ref)
        with self._locked():
            row = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS}, seed, command, environment FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
            checks = self._db.execute(
                "SELECT candidate, criterion, verdict, summary, evidence FROM checks"
                " WHERE run_id = ? ORDER BY position, id",
                (run_id,),
            ).fetchall()
        if row is None:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        summary = _summary(row[:7])
        by_candidate: dict[str, list[CheckResult]] = {name: [] for name in summary.candidates}
        for candidate, criterion, verdict, text, evidence in checks:
            by_candidate.setdefault(candidate, []).append(
                CheckResult(criterion, _verdict(verdict), text, json.loads(evidence))
            )
        results = tuple(CandidateResult(name, tuple(found)) for name, found in by_candidate.items())
        environment = json.loads(row[9])
        result = RunResult(summary.reference, int(row[7]), results, summary.spec, summary.duration_s or 0.0,
                           stopped=_stopped(summary.verdict, results),
                           environment=environment if isinstance(environment, Mapping) else None)
        return StoredRun(
            **{f.name: getattr(summary, f.name) for f in fields(RunSummary)},
            seed=int(row[7]),
            command=str(row[8]),
            environment=environment,
            result=result,
        )

    def compare(self, run_a: str, run_b: str) -> list[CheckChange]:
        """Each (candidate, criterion) in either run, ``run_a`` before and ``run_b`` after,
        in order of first appearance (grouped by candidate); a repeated check: the last counts.
        """
        before = _checks_by_key(self.load_run(run_a).result)
        after = _checks_by_key(self.load_run(run_b).result)
        keys = list(before) + [key for key in after if key not in before]
        order = {candidate: i for i, (candidate, _) in reversed(list(enumerate(keys)))}
        keys.sort(key=lambda key: order[key[0]])  # stable: groups by candidate, keeps order
        return [_change(key, before.get(key), after.get(key)) for key in keys]


def _header(db: sqlite3.Connection) -> tuple[int, int, int]:
    """Schema version, application id and table count, read together in one snapshot."""
    version, app_id, tables = db.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT application_id FROM pragma_application_id),"
        " (SELECT count(*) FROM sqlite_schema)"
    ).fetchone()
    return int(version), int(app_id), int(tables)


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, retrying: SQLite answers "locked" here without waiting when another
    connection is busy. Where WAL is not possible the file keeps its rollback journal."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds")


def _suffix() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(4))


def _summary(row: Sequence[Any]) -> RunSummary:
    run_id, started_at, spec, reference, candidates, verdict, duration_s = row
    return RunSummary(
        id=str(run_id),
        started_at=datetime.fromisoformat(started_at),
        spec=spec,
        reference=str(reference),
        candidates=tuple(json.loads(candidates)),
        verdict=UNFINISHED if verdict is None else str(verdict),
        duration_s=None if duration_s is None else float(duration_s),
    )


def _stopped(verdict: str, candidates: Sequence[CandidateResult]) -> str | None:
    """Why a stored run ended otherwise than its recorded checks say, if it did."""
    if verdict == UNFINISHED:
        return "the run did not finish (it was killed, or is still running): its checks so far are shown"
    if verdict == "error" and candidates and combine(c.verdict for c in candidates) != "error":
        return "the run stopped with an error (bad input found during the run)"
    return None


def _verdict(value: str) -> Verdict:  # never read an unknown verdict as a pass
    return cast(Verdict, value) if value in get_args(Verdict) else "error"


def _checks_by_key(result: RunResult) -> dict[tuple[str, str], CheckResult]:
    return {(c.target, check.criterion): check for c in result.candidates for check in c.checks}


def _change(key: tuple[str, str], a: CheckResult | None, b: CheckResult | None) -> CheckChange:
    ratios = (_evidence(a, "ratio", float), _evidence(b, "ratio", float))
    classes = (_evidence(a, "candidate_class", str), _evidence(b, "candidate_class", str))
    verdicts = (a.verdict if a else None, b.verdict if b else None)
    return CheckChange(*key, *verdicts, *ratios, *classes)


def _evidence(check: CheckResult | None, key: str, kind: type[Any]) -> Any:
    """``check.evidence[key]`` when it is a ``kind`` (a float for any real number), else None."""
    value = None if check is None else check.evidence.get(key)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value if isinstance(value, kind) else None


def _dumps(value: Any) -> str:
    """JSON text for ``value``; anything JSON cannot hold is stored as its ``repr``."""
    try:
        return json.dumps(value, default=_default)
    except (TypeError, ValueError):  # keys JSON cannot hold (tuples...), or a cycle
        return json.dumps({"repr": repr(value)})


def _default(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays become numbers, lists
    if callable(tolist):
        try:
            return tolist()
        except Exception:
            pass
    if isinstance(value, Mapping | set | frozenset):
        return dict(value) if isinstance(value, Mapping) else list(value)
    return repr(value)
