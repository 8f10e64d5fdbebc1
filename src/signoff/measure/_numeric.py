"""What the statistics modules share: scipy imported on first use, and checked arrays of times."""

from __future__ import annotations

import importlib
import threading
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class _LazyModule:
    """A scipy module imported on first use: importing scipy costs about a second, which
    ``import signoff`` (the CLI, spec files, workers unpickling spec classes) should not pay."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self._name)
        return getattr(module, attribute)


optimize = _LazyModule("scipy.optimize")
special = _LazyModule("scipy.special")
_SCIPY_MODULES = ("scipy.special", "scipy.optimize")


def preload_scipy() -> None:
    """Import the scipy modules in a background thread, now, for a run that will need them.

    On a busy machine they take seconds to import (2.2 s at load 4; ``scipy.stats``, not
    used for that reason, 2 s more), and the first verdict of a run waited for them;
    imported while the workers start and the first batches run (the parent mostly waits on
    pipes then), they cost a verdict little. An import the statistics need before it is
    done waits for it (Python's per-module import lock)."""
    def load() -> None:
        for name in _SCIPY_MODULES:
            importlib.import_module(name)

    threading.Thread(target=load, name="signoff-scipy-preload", daemon=True).start()


def positive(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as a flat float array; ValueError unless every value is finite and positive."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must hold finite positive numbers")
    return array


Pair = tuple[float, float]  # (reference, candidate): the seconds of one unit of work on each side
