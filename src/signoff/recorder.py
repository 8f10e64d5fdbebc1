"""Record a run in the results store as it goes: ``signoff check`` and ``signoff sql`` share it.

Each check is written (and committed) the moment it ends, so a run that is
killed keeps what it had finished; ``finish`` writes the verdict and the
duration. ``signoff history``, ``compare`` and ``report`` read them back.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from signoff.environment import capture_environment
from signoff.store import Store
from signoff.verdict import CheckResult, RunResult


@dataclasses.dataclass
class RunRecorder:
    store: Store
    run_id: str

    @classmethod
    def begin(cls, path: Path, *, spec: str | None, reference: str, candidates: Sequence[str],
              seed: int) -> RunRecorder:
        """Open (or create) the store at ``path`` and record the start of a run of this command."""
        store = Store(path)
        run_id = store.begin_run(
            spec=spec, reference=reference, candidates=list(candidates), seed=seed,
            command=shlex.join(["signoff", *sys.argv[1:]]), environment=capture_environment(Path.cwd()),
        )
        return cls(store, run_id)

    def record(self, candidate: str, check_result: CheckResult) -> None:
        self.store.record_check(self.run_id, candidate, check_result)

    def finish(self, result: RunResult) -> None:
        self.store.finish_run(self.run_id, result.verdict, result.duration_s)
        self.store.close()
