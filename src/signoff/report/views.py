"""The one lookup of how the reports show a check: by its name, a criterion's view or the SQL suite's.

Each criterion declares its ``EvidenceView`` (``signoff.criteria``); the SQL
suite declares the views of its own checks (corpus, generated, metamorphic,
the invariants) in ``signoff.sql.views``. The suite's are imported on the
first lookup, not when a report module is: a ``check`` run that never shows
an SQL check does not pay for importing the suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from signoff.criteria import CRITERIA
from signoff.criteria.base import PLAIN, EvidenceView


def view_of(name: str) -> EvidenceView:
    """The evidence view of the check called ``name``; a plain listing for one nobody declared
    (a check an older or newer signoff recorded)."""
    return _views().get(name, PLAIN)


@cache
def _views() -> Mapping[str, EvidenceView]:
    from signoff.sql.views import VIEWS as SQL_VIEWS  # late: see the module docstring

    views = {criterion.name: criterion.view for criterion in CRITERIA}
    clashes = sorted(set(views) & set(SQL_VIEWS))
    if clashes:  # a programming error: two declarations of one check's view
        raise RuntimeError(f"signoff.sql.views declares views of criteria: {', '.join(clashes)}")
    return {**views, **SQL_VIEWS}
