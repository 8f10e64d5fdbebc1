"""signoff: decide whether a candidate implementation may replace a trusted reference.

The public API, declared once. A spec file uses::

    import signoff
    spec = signoff.Spec(reference="mylib:func", inputs=st.text(),
                        criteria=[signoff.same_results()])
"""

from signoff.engine import RunOptions, check
from signoff.equality import approx, exact, unordered
from signoff.errors import SignoffError, SpecError, TargetError, WorkerError
from signoff.spec import Call, Spec, args, call, load_spec, same_results
from signoff.verdict import CandidateResult, CheckResult, RunResult

__all__ = [
    "Call",
    "CandidateResult",
    "CheckResult",
    "RunOptions",
    "RunResult",
    "SignoffError",
    "Spec",
    "SpecError",
    "TargetError",
    "WorkerError",
    "approx",
    "args",
    "call",
    "check",
    "exact",
    "load_spec",
    "same_results",
    "unordered",
]
