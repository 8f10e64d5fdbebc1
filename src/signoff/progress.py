"""The shapes of the progress callbacks that long work calls as it goes, declared once.

The library never prints: a caller that wants bars passes one of these, and
the command line's bars (``report.progress``) accept both.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]  # (phase, done, total)
BudgetProgress = Callable[[str, int, int, float], None]  # (phase, done, total, seconds of budget left)
