"""Record a run in the results store as it goes: ``signoff check`` and ``signoff sql`` share it.

Each check is written (and committed) the moment it ends, so a run that is
killed keeps what it had finished (and shows as unfinished); ``finish``
writes the verdict and the duration, and a run stopped by bad input found
late is recorded as an error (``guarded``). ``signoff history``, ``compare``
and ``report`` read them back.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from signoff.environment import capture_environment
from signoff.errors import SignoffError
from signoff.store import Store
from signoff.verdict import CheckResult, RunResult


@dataclasses.dataclass
class RunRecorder:
    store: Store
    run_id: str
    # The criteria in the order the report lists them, when checks end in another order
    # (``check`` runs cheap criteria first); empty: the report keeps the order they end in.
    report_order: tuple[str, ...] = ()
    _placed: dict[str, set[int]] = dataclasses.field(default_factory=dict)

    @classmethod
    def begin(cls, path: Path, *, spec: str | None, reference: str, candidates: Sequence[str],
              seed: int, report_order: Sequence[str] = ()) -> RunRecorder:
        """Open (or create) the store at ``path`` and record the start of a run of this command."""
        store = Store(path)
        run_id = store.begin_run(
            spec=spec, reference=reference, candidates=list(candidates), seed=seed,
            command=shlex.join(["signoff", *sys.argv[1:]]), environment=capture_environment(Path.cwd()),
        )
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

    def finish(self, result: RunResult) -> None:
        self.store.finish_run(self.run_id, result.verdict, result.duration_s)
        self.store.close()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Record the run as an error when bad input found late stops it (a candidate that cannot
        load); a kill leaves it unfinished."""
        began = time.monotonic()
        try:
            yield
        except SignoffError:
            self.store.finish_run(self.run_id, "error", time.monotonic() - began)
            self.store.close()
            raise


def guarded(recorder: RunRecorder | None) -> AbstractContextManager[None]:
    """``recorder.guard()``, or nothing when the run is not recorded."""
    return recorder.guard() if recorder else nullcontext()
