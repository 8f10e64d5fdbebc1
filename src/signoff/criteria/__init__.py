"""The criteria, one module each.

Each criterion module declares its dataclass (name, run order, checker,
evidence view; see ``base``) and its constructor. Adding a criterion is one
new module, listed in ``CRITERIA`` below and exported from ``signoff``; the
reports find its view by name (``signoff.report.views``).
"""

from __future__ import annotations

from signoff.criteria.base import CheckContext, Criterion, EvidenceView
from signoff.criteria.memory import Memory, memory
from signoff.criteria.same_results import SameResults, same_results
from signoff.criteria.scaling import Scaling, scaling
from signoff.criteria.speed import Speed, speed

__all__ = [
    "CRITERIA",
    "CheckContext",
    "Criterion",
    "EvidenceView",
    "Memory",
    "SameResults",
    "Scaling",
    "Speed",
    "memory",
    "same_results",
    "scaling",
    "speed",
]

CRITERIA: tuple[type[Criterion], ...] = (SameResults, Memory, Scaling, Speed)
