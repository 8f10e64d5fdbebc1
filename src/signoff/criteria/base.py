"""What every criterion is: a name, a run order, a checker and an evidence view.

A criterion is a frozen dataclass (its options) that subclasses ``Criterion``
and declares, once:

- ``name``: how results and reports call it (``CheckResult.criterion``);
- ``run_order``: cheap ones first (DESIGN.md's plan); reports keep the spec's order;
- ``check(context)``: judge one candidate, given the ``CheckContext`` that
  ``signoff.checking`` builds per candidate;
- ``view``: an ``EvidenceView``, which tells the terminal, HTML and JUnit
  reports how to lay its evidence out. Check kinds that are not criteria
  (the SQL suite's) declare views of the same type; ``signoff.report.views.view_of``
  finds either by name.

Views are data, not rendering: key names, figure kinds and plain lines of
(text, style) segments. The reports turn them into HTML, rich text or XML.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from hypothesis.strategies import SearchStrategy

from signoff.criteria.cost import CostContext
from signoff.errors import SpecError
from signoff.inputs import Call
from signoff.progress import BudgetProgress
from signoff.runner.process import Worker
from signoff.verdict import CheckResult

ReplayCommand = Callable[[bytes], str]  # pickled case -> shell command that replays it

# The figure kinds the HTML report can draw; a view names the evidence keys each one lays out.
Layout = Literal["counterexample", "ratio_pairs", "growth", "memory_peaks"]
Segment = tuple[str, str]  # (text, style): a rich style name, or "" for plain text
Line = tuple[Segment, ...]


def no_lines(_evidence: Mapping[str, Any]) -> list[Line]:
    """The details of a check that has none beyond its summary."""
    return []


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """How the reports show one kind of check's evidence.

    ``figures``: the key figures, shown first; ``layouts``: each figure kind
    drawn, with the evidence keys it lays out (so they are not listed again);
    ``lead``: keys a plain-text listing puts first; ``lines``: the details of a
    failure, as lines of (text, style) segments (empty when there are none).
    """

    figures: tuple[str, ...] = ()
    layouts: tuple[tuple[Layout, tuple[str, ...]], ...] = ()
    lead: tuple[str, ...] = ()
    lines: Callable[[Mapping[str, Any]], list[Line]] = no_lines

    @property
    def laid_out(self) -> frozenset[str]:
        """Every evidence key one of the layouts shows."""
        return frozenset(key for _kind, keys in self.layouts for key in keys)


# A check nobody declared a view for (an older or newer signoff wrote it):
# every evidence key is listed as it is.
PLAIN = EvidenceView()


@dataclass
class ReferenceCache:
    """The reference's outcome per pickled input, shared by all candidates."""

    worker: Worker
    outcomes: dict[bytes, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    """Everything a criterion needs to judge one candidate."""

    reference: ReferenceCache
    candidate: Worker
    strategy: SearchStrategy[Call] | None  # generated inputs as calls; None without inputs=
    corpus: Sequence[Call]  # supplied inputs
    seed: int
    name: str  # the reference's function name, to write an input as a call
    replay: ReplayCommand
    progress: BudgetProgress | None = None
    cost: CostContext | None = None  # sized inputs and timing; None without a workload

    @property
    def costs(self) -> CostContext:
        """The cost criteria's context (``Spec`` requires a workload for them)."""
        if self.cost is None:
            raise SpecError("a cost criterion needs sized inputs: "
                            "add workload=signoff.workload(make, sizes=...)")
        return self.cost


class Criterion(ABC):
    """One requirement a candidate must meet."""

    name: ClassVar[str]
    run_order: ClassVar[int]  # cheap first: answers before costs
    view: ClassVar[EvidenceView] = PLAIN
    needs_workload: ClassVar[bool] = False

    @abstractmethod
    def check(self, context: CheckContext) -> CheckResult:
        """Judge one candidate against the reference."""
