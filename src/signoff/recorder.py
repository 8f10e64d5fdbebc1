"""Record a run in the results store as it goes: the one recorder of ``check``, ``sql`` and ``batch``.

Each check is written (and committed) the moment it ends, so a run that is
killed keeps what it had finished (and shows as unfinished); ``finish``
writes the verdict and the duration, and a run stopped by bad input found
late is recorded as an error (``guard``). A resumed batch continues the run
it recorded before (``begin(..., resume=RUN_ID)``), so its samples judged
before and after the interruption stay one run. ``signoff history``,
``compare`` and ``report`` read the runs back.

The command line is a parameter: the library never reads ``sys.argv``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from signoff.environment import capture_environment
from signoff.errors import SignoffError
from signoff.store import Store, StoreError
from signoff.verdict import CheckResult, Verdict


@dataclasses.dataclass
class RunRecorder:
    store: Store
    run_id: str
    # The criteria in the order the report lists them, when checks end in another order
    # (``check`` runs cheap criteria first); empty: the report keeps the order they end in.
    report_order: tuple[str, ...] = ()
    _placed: dict[str, set[int]] = dataclasses.field(default_factory=dict)

    @classmethod
    def begin(cls, path: Path, *, command: str, spec: str | None, reference: str,
              candidates: Sequence[str], seed: int, report_order: Sequence[str] = (),
              resume: str | None = None, environment: Mapping[str, Any] | None = None) -> RunRecorder:
        """Open (or create) the store at ``path`` and record the start of a run of ``command`` on
        ``environment`` (captured now when not given); with ``resume``, continue that run instead
        when the store still has it."""
        store = Store(path)
        try:
            if resume is not None and _has_run(store, resume):
                run_id = resume
            else:
                run_id = store.begin_run(spec=spec, reference=reference, candidates=list(candidates),
                                         seed=seed, command=command,
                                         environment=environment or capture_environment(Path.cwd()))
        except BaseException:
            store.close()
            raise
        return cls(store, run_id, tuple(report_order))

    def record(self, candidate: str, check_result: CheckResult) -> None:
        self.store.record_check(self.run_id, candidate, check_result,
                                self._position(candidate, check_result.criterion))

    def _position(self, candidate: str, criterion: str) -> int | None:
        """The first place in ``report_order`` named ``criterion`` not yet taken for ``candidate``
        (a spec may name a criterion twice); None for a check outside it."""
        placed = self._placed.setdefault(candidate, set())
        for position, name in enumerate(self.report_order):
            if name == criterion and position not in placed:
                placed.add(position)
                return position
        return None

    def finish(self, verdict: Verdict, duration_s: float,
               environment: Mapping[str, Any] | None = None) -> None:
        """Record the run's verdict and duration, and its environment as completed when the work
        ended (a resumed run: the session that finished it), and close the store."""
        try:
            self.store.finish_run(self.run_id, verdict, duration_s, environment)
        finally:
            self.store.close()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Record the run as an error when bad input found late stops it (a candidate that cannot
        load); a kill leaves it unfinished."""
        began = time.monotonic()
        try:
            yield
        except SignoffError:
            self.finish("error", time.monotonic() - began)
            raise


def guarded(recorder: RunRecorder | None) -> AbstractContextManager[None]:
    """``recorder.guard()``, or nothing when the run is not recorded."""
    return recorder.guard() if recorder else nullcontext()


def _has_run(store: Store, run_id: str) -> bool:
    try:
        return store.resolve(run_id) == run_id
    except StoreError:
        return False
