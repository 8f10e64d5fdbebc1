"""Targets: what a user names to say which function to call.

``pkg.mod:func``, ``path/to/file.py:func`` or, from Python, the callable
itself. A target is only parsed here; it is imported in a worker process
(candidates always) or, for trusted code, in signoff's own process
(``runner.trusted``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signoff.errors import TargetError

_IDENTIFIER_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass(frozen=True, slots=True)
class Target:
    """A function to call, as the worker needs to find it."""

    text: str  # as the user wrote it; used in reports and replay commands
    module: str  # module name (for a file, the name it is loaded under)
    qualname: str  # attribute path inside the module, e.g. "Parser.parse"
    path: str | None = None  # absolute path of a .py file, or None for an importable module

    def for_worker(self) -> dict[str, Any]:
        return {"module": self.module, "qualname": self.qualname, "path": self.path}


def parse_target(value: object, *, base: Path | None = None, what: str = "target") -> Target:
    """Parse ``value`` into a Target; a relative file path is taken from ``base``.

    Raises TargetError saying what is wrong with the text and what form is expected.
    """
    if callable(value) and not isinstance(value, str):
        return _from_callable(value, what)
    if not isinstance(value, str):
        raise TargetError(
            f"{what} must be 'pkg.mod:func', 'path/to/file.py:func' or a function, "
            f"not {type(value).__name__} {value!r}"
        )
    location, sep, qualname = value.rpartition(":")
    if not sep or not location or not _IDENTIFIER_PATH.match(qualname):
        raise TargetError(
            f"{what} {value!r} is not of the form 'pkg.mod:func' or 'path/to/file.py:func'"
        )
    if location.endswith(".py") or "/" in location or "\\" in location:
        path = Path(location)
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        path = path.resolve()
        if not path.is_file():
            raise TargetError(f"{what} {value!r}: file not found: {path}")
        return Target(text=value, module=_module_name_for(path), qualname=qualname, path=str(path))
    if not _IDENTIFIER_PATH.match(location):
        raise TargetError(f"{what} {value!r}: {location!r} is not a module name")
    return Target(text=value, module=location, qualname=qualname)


def _module_name_for(path: Path) -> str:
    # Load a file under its own stem, as `python -c "import stem"` would, unless
    # that would shadow a module the worker itself needs.
    stem = re.sub(r"\W", "_", path.stem)
    if stem in sys.stdlib_module_names or not stem or stem[0].isdigit():
        return f"signoff_target_{stem}"
    return stem


def _from_callable(func: Callable[..., Any], what: str) -> Target:
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise TargetError(
            f"{what} {func!r} cannot be loaded in a worker process: pass a function defined "
            "at the top level of a module, or a 'pkg.mod:func' string"
        )
    if module == "__main__":
        file = getattr(sys.modules.get("__main__"), "__file__", None)
        if not file:
            raise TargetError(f"{what} {qualname} is defined in __main__, which has no file")
        path = Path(file).resolve()
        return Target(text=f"{path}:{qualname}", module=_module_name_for(path),
                      qualname=qualname, path=str(path))
    return Target(text=f"{module}:{qualname}", module=module, qualname=qualname)
