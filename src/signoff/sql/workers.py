"""SQL workers as signoff's process sees them: one isolated worker process per engine.

Each engine runs in its own ``signoff.runner.process.Worker`` (own session,
memory limit, per-call time limit, killed as a group, restarted after a
crash), whose target is the SQL driver (``driver.dispatch``, loaded through
``worker.py`` so that the worker does not import numpy and scipy). The engine,
a private folder for its databases and a progress file reach the worker
through its environment.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from signoff.outcomes import Outcome
from signoff.runner.batches import run_cases
from signoff.runner.process import Limits, LoadFailure, Worker
from signoff.sql import driver
from signoff.targets import Target

WORKER_FILE = Path(__file__).resolve().with_name("worker.py")
TARGET = Target(text="signoff.sql.driver:dispatch", module="signoff_sql_worker",
                qualname="dispatch", path=str(WORKER_FILE))
DEFAULT_TIMEOUT_S = 10.0  # one record, or one unit of an invariant's work
# Where the small databases of workloads.IN_MEMORY go, when the machine has it.
MEMORY_FOLDER = Path("/dev/shm")
SETUP_TIMEOUT_S = 300.0  # building a table of a million rows on a slow engine
MEMORY_BYTES = 4 << 30  # address space: a million-row table with a 256 MiB page cache


@dataclass
class SqlWorker:
    """One engine's worker; ``role`` is ``reference`` or ``candidate``."""

    engine: str
    role: str
    worker: Worker
    folder: Path
    progress: Path
    version: str = ""
    counts_steps: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.role} {self.engine}"

    def call(self, operation: str, *args: Any, timeout_s: float | None = None) -> Outcome:
        """One driver operation in this worker; its outcome (a fault restarts the worker)."""
        return call_all([(self, operation, args)], timeout_s=timeout_s)[0]

    def last_record(self) -> int | None:
        """The corpus record this worker last began (read after a fault)."""
        return driver.read_progress(str(self.progress))

    def close(self) -> None:
        self.worker.close()


def case(operation: str, *args: Any) -> bytes:
    """A pickled call of the driver, as ``run_cases`` and the timing functions take it."""
    return pickle.dumps(((operation, *args), {}), protocol=pickle.HIGHEST_PROTOCOL)


def call_all(calls: Sequence[tuple[SqlWorker, str, tuple[Any, ...]]], *,
             timeout_s: float | None = None) -> list[Outcome]:
    """One operation in each of several workers, all at once; the outcomes in order.

    Each worker appears at most once. ``timeout_s`` replaces the workers'
    per-call limit for these calls (building large tables).
    """
    with _limit([sql for sql, _, _ in calls], timeout_s):
        results = run_cases([(sql.worker, [case(operation, *args)], 1) for sql, operation, args in calls],
                            arguments=False)
    return [Outcome.from_bytes(result[0][0]) for result in results]


@contextmanager
def _limit(workers: Sequence[SqlWorker], timeout_s: float | None) -> Iterator[None]:
    if timeout_s is None:
        yield
        return
    saved = [sql.worker.limits for sql in workers]
    for sql in workers:
        sql.worker.limits = replace(sql.worker.limits, timeout_s=timeout_s)
    try:
        yield
    finally:
        for sql, limits in zip(workers, saved, strict=True):
            sql.worker.limits = limits


class WorkerPool:
    """The workers of one run and their folders; close it to kill them and remove the files."""

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S, folder: Path | None = None) -> None:
        self.timeout_s = timeout_s
        self.root = Path(tempfile.mkdtemp(prefix="signoff-sql-", dir=folder))
        self.memory_root = _memory_folder()
        self.workers: list[SqlWorker] = []

    def start(self, engine: str, role: str) -> SqlWorker | LoadFailure:
        """Start a worker for ``engine`` (already checked with ``engines.resolve_engine``)."""
        folder = self.root / f"{len(self.workers)}-{role}"
        folder.mkdir()
        progress = folder / "progress"
        env = {driver.ENGINE_VARIABLE: engine, driver.DIRECTORY_VARIABLE: str(folder),
               driver.PROGRESS_VARIABLE: str(progress)}
        if self.memory_root is not None:
            in_memory = self.memory_root / folder.name
            in_memory.mkdir()
            env[driver.MEMORY_DIRECTORY_VARIABLE] = str(in_memory)
        limits = Limits(timeout_s=self.timeout_s, memory_bytes=MEMORY_BYTES, output_bytes=16 << 20)
        worker = Worker(TARGET, limits, env=env)
        failure = worker.start()
        if failure is not None:
            return failure
        sql = SqlWorker(engine, role, worker, folder, progress)
        self.workers.append(sql)
        info = sql.call("info", timeout_s=60.0)
        if info.status != "ok":
            sql.close()
            self.workers.remove(sql)
            if info.status == "raise" and str(info.detail[0]).endswith("TargetError"):
                return LoadFailure("not_found", str(info.detail[1]))
            return LoadFailure("import_failed", f"the engine could not open a database: {info.describe()}")
        _, sql.version, sql.counts_steps = info.detail[0]
        return sql

    def close(self) -> None:
        for sql in self.workers:
            sql.close()
        self.workers.clear()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.memory_root is not None:
            shutil.rmtree(self.memory_root, ignore_errors=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _memory_folder() -> Path | None:
    """A folder of this run's own in memory (tmpfs), or None where there is none to write to."""
    if not MEMORY_FOLDER.is_dir():
        return None
    try:
        return Path(tempfile.mkdtemp(prefix="signoff-sql-", dir=MEMORY_FOLDER))
    except OSError:
        return None
