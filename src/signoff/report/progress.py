"""Progress bars on the terminal, one per phase, for ``check``, ``sql`` and ``batch`` alike.

The checks report progress as ``(phase, done, total)`` and, where they run
against a time budget, the seconds of it left; each phase gets its own bar
the first time it is named (a batch names one, "judging samples"). A total
not known yet is None: the bar pulses until it is. The bars are transient (gone when the run ends)
and go to the error console, so the verdict table on standard output stays
clean for a pipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class BarUpdate(Protocol):
    def __call__(self, phase: str, done: int, total: int | None,
                 budget_left_s: float | None = None) -> None: ...


@contextmanager
def progress_bars(console: Console, enabled: bool) -> Iterator[BarUpdate | None]:
    """An update function while the bars show; None when ``enabled`` is false (no terminal, --quiet)."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[budget]}", markup=False))
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int | None, budget_left_s: float | None = None) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total, budget="")
            budget = "" if budget_left_s is None else f"budget left {max(0.0, budget_left_s):.0f} s"
            progress.update(tasks[phase], completed=done, total=total, budget=budget)

        yield update
