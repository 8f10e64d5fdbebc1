"""The criteria, one module each, and the one lookup of how reports show a check.

Each criterion module declares its dataclass (name, run order, checker,
evidence view; see ``base``) and its constructor. Adding a criterion is one
new module, listed in ``CRITERIA`` below and exported from ``signoff``.

``view_of(name)`` finds the evidence view of any check by its name: a
criterion's, or one that a suite declares (the SQL suite's corpus,
generated, metamorphic and invariant checks). A suite's views are imported on
the first lookup, from the modules in ``VIEW_PROVIDERS``: a report of a
stored run can be rendered before the suite was imported, and no module here
imports a suite at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache

from signoff.criteria.base import PLAIN, CheckContext, Criterion, EvidenceView
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
    "view_of",
]

CRITERIA: tuple[type[Criterion], ...] = (SameResults, Memory, Scaling, Speed)
# Modules that declare the views of checks that are not criteria, each as a
# ``VIEWS`` mapping of check name to EvidenceView.
VIEW_PROVIDERS = ("signoff.sql.views",)


def view_of(name: str) -> EvidenceView:
    """The evidence view of the check called ``name``; a plain listing for one nobody declared."""
    return _views().get(name, PLAIN)


@cache
def _views() -> Mapping[str, EvidenceView]:
    views = {criterion.name: criterion.view for criterion in CRITERIA}
    for provider in VIEW_PROVIDERS:
        declared: Mapping[str, EvidenceView] = importlib.import_module(provider).VIEWS
        clashes = sorted(set(views) & set(declared))
        if clashes:  # a programming error: two declarations of one check's view
            raise RuntimeError(f"{provider} declares views already declared: {', '.join(clashes)}")
        views.update(declared)
    return views
