"""Import a target in signoff's own process: only code signoff trusts.

The reference, when its type hints are read (``infer``); an engine's factory,
inside the SQL worker that runs it. A candidate never: it runs only in worker
processes. The loader is the worker's own, so both find the same function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signoff.errors import TargetError
from signoff.runner.worker_main import import_error_line, load_target
from signoff.targets import Target


def load_trusted(target: Target) -> Callable[..., Any]:
    """The function ``target`` names, imported here; TargetError when it is not there."""
    try:
        return load_target(target.for_worker())  # type: ignore[no-any-return]
    except LookupError as error:
        raise TargetError(f"{target.text}: {error}") from None
    except Exception as error:  # the trusted code itself is broken: say where, no traceback
        raise TargetError(f"{target.text}: importing it failed: {import_error_line(error)}") from None
