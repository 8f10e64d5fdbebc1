"""signoff: decide whether a candidate implementation may replace a trusted reference.

The public API, declared once. A spec file uses::

    import signoff
    spec = signoff.Spec(reference="mylib:func", inputs=st.text(),
                        criteria=[signoff.same_results()])
"""

from signoff.checking import RunOptions, check
from signoff.criteria import memory, same_results, scaling, speed
from signoff.equality import approx, exact, unordered
from signoff.errors import SignoffError, SpecError, TargetError, WorkerError
from signoff.inputs import Call, args, call, doubling, workload
from signoff.spec import Spec
from signoff.specfile import load_spec
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
    "doubling",
    "exact",
    "load_spec",
    "memory",
    "same_results",
    "scaling",
    "speed",
    "unordered",
    "workload",
]
