"""Where an SQL worker process starts: it loads this file by path, then the driver.

Importing ``signoff`` runs its ``__init__``, which imports the whole public
API (numpy, scipy, Hypothesis: about three seconds here). A worker needs only
the SQL driver and the modules it imports, so before importing it this file
registers ``signoff`` as a bare package (a module with a ``__path__``), and
``import signoff.sql.driver`` then loads only what it names. The
parent never imports this file.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_PACKAGE = _HERE.parent  # src/signoff

if "signoff" not in sys.modules:
    _bare = types.ModuleType("signoff")
    _bare.__path__ = [str(_PACKAGE)]
    sys.modules["signoff"] = _bare
# The worker put this folder first on sys.path to load this file; its modules
# must not shadow a user's (a factory module named "engines", say).
if str(_HERE) in sys.path:
    sys.path.remove(str(_HERE))

from signoff.sql import driver  # noqa: E402


def dispatch(operation: str, *args: Any) -> Any:
    """The worker's target: one driver operation (see ``driver.dispatch``)."""
    return driver.dispatch(operation, *args)
