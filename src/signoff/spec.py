"""The spec: acceptance criteria written before the candidate exists.

``Spec`` names the reference, its inputs and the criteria, and validates
them, so a mistake is reported with what was wrong and where, before any
worker starts. The inputs are ``signoff.inputs``; the criteria, one module
each, are ``signoff.criteria``; reading a spec file is ``signoff.specfile``.
"""

from __future__ import annotations

import contextvars
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis.strategies import SearchStrategy

from signoff.criteria import Criterion, Scaling, same_results, scaling, speed
from signoff.errors import SpecError
from signoff.inputs import Arguments, Call, Workload, require_seconds, require_strategy
from signoff.measure.rules import MIN_SIZE_SPAN, MIN_SIZES
from signoff.targets import Target, parse_target

# Relative target paths inside a spec file are taken from the spec's folder.
_spec_folder: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "signoff_spec_folder", default=None
)

DEFAULT_TIMEOUT_S = 5.0  # per call
DEFAULT_MEMORY_LIMIT = 2 << 30  # per worker, address space
# The fix a refusal suggests: 8 sizes over a 128x range.
_SIZES_HINT = "sizes=[2**k for k in range(8, 16)]"


@dataclass(frozen=True)
class Spec:
    """What the candidate must match, on which inputs, by which criteria."""

    reference: object
    inputs: SearchStrategy[Any] | Arguments | None = None
    workload: Workload | None = None
    criteria: Sequence[Criterion] = ()
    corpus: Sequence[str | Path] = ()
    timeout: float = DEFAULT_TIMEOUT_S
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    folder: Path | None = field(default=None, compare=False)  # for relative paths; see below

    def __post_init__(self) -> None:
        # Relative paths are taken from: the spec file being loaded, else an
        # explicit folder (kept by dataclasses.replace), else the file that
        # called Spec(...), else the current directory.
        folder = _spec_folder.get() or self.folder or _caller_folder() or Path.cwd()
        object.__setattr__(self, "folder", folder)
        object.__setattr__(self, "reference_target",
                           parse_target(self.reference, base=folder, what="Spec(reference=...)"))
        if self.inputs is not None and not isinstance(self.inputs, Arguments):
            require_strategy(self.inputs, "Spec(inputs=...)")
        if self.workload is not None and not isinstance(self.workload, Workload):
            raise SpecError(
                f"Spec(workload=...) must be signoff.workload(make, sizes=...), not {self.workload!r}"
            )
        criteria = tuple(self.criteria)
        for criterion in criteria:
            if not isinstance(criterion, Criterion):
                raise SpecError(
                    f"Spec(criteria=...) holds {criterion!r}, which is not a criterion: use "
                    "signoff.same_results(...), speed(...), scaling(...) or memory(...)"
                )
            if criterion.needs_workload and self.workload is None:
                raise SpecError(
                    f"{criterion.name}() needs sized inputs: add workload=signoff.workload(make, sizes=...)"
                )
            size = getattr(criterion, "size", None)
            if size is not None and self.workload is not None and size not in self.workload.sizes:
                raise SpecError(
                    f"{criterion.name}(size={size}) is not one of the workload's sizes {self.workload.sizes}"
                )
        named = bool(criteria)
        if not criteria:
            criteria = (same_results(),)
            if self.workload is not None:
                criteria += (speed(), scaling())
        if self.workload is not None and any(isinstance(c, Scaling) for c in criteria):
            _require_growth_sizes(self.workload.sizes, named)
        object.__setattr__(self, "criteria", criteria)
        corpus = (self.corpus,) if isinstance(self.corpus, (str, Path)) else tuple(self.corpus)
        object.__setattr__(self, "corpus", tuple(_resolve(folder, path) for path in corpus))
        require_seconds(self.timeout, "Spec(timeout=...)")
        if not isinstance(self.memory_limit, int) or self.memory_limit < (64 << 20):
            raise SpecError(
                f"Spec(memory_limit=...) must be a number of bytes >= 64 MiB, not {self.memory_limit!r}"
            )

    reference_target: Target = field(init=False, compare=False)

    @property
    def call_strategy(self) -> SearchStrategy[Call] | None:
        """Inputs as ``Call`` values, whatever form the spec gave them in."""
        if self.inputs is None:
            return None
        if isinstance(self.inputs, Arguments):
            return self.inputs.strategy
        return self.inputs.map(lambda value: Call((value,), {}))


@contextmanager
def spec_folder(folder: Path) -> Iterator[None]:
    """Specs made inside take relative paths from ``folder`` (the spec file's, while it runs)."""
    token = _spec_folder.set(folder)
    try:
        yield
    finally:
        _spec_folder.reset(token)


def _caller_folder() -> Path | None:
    """The folder of the file that called Spec(...), outside signoff itself.

    So a file that is both a spec and a module (imported by a worker as the
    reference) resolves its relative paths the same way in every process.
    """
    skip = (str(Path(__file__).parent), sysconfig.get_paths()["stdlib"], "<")
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(skip):
            return Path(filename).resolve().parent
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _require_growth_sizes(sizes: Sequence[int], named: bool) -> None:
    """SpecError unless ``sizes`` can decide a growth class: ``MIN_SIZES`` distinct sizes over a
    range of at least ``MIN_SIZE_SPAN``, refused here rather than inconclusive after the run."""
    distinct = sorted(set(sizes))
    which = "scaling()" if named else "scaling() (a default criterion of a spec with a workload)"
    without = ("" if named else "; or name the criteria without it: "
               "criteria=[signoff.same_results(), signoff.speed()]")
    if len(distinct) < MIN_SIZES:
        raise SpecError(
            f"{which} cannot decide with this workload: it has {len(distinct)} distinct size(s) "
            f"{tuple(distinct)}, and a growth fit needs at least {MIN_SIZES} distinct sizes; give more, e.g. "
            f"workload(make, {_SIZES_HINT}){without}"
        )
    span = distinct[-1] / max(distinct[0], 1)
    if span < MIN_SIZE_SPAN:
        raise SpecError(
            f"{which} cannot decide with this workload: its sizes {distinct[0]}..{distinct[-1]} span "
            f"{span:.3g}x, and telling growth classes apart needs the largest at least {MIN_SIZE_SPAN}x "
            f"the smallest; widen them, e.g. workload(make, {_SIZES_HINT}){without}"
        )


def _resolve(folder: Path, path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else folder / path
