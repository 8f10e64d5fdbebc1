"""What the statistics modules share: scipy imported on first use, and checked arrays of times."""

from __future__ import annotations

import importlib
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
stats = _LazyModule("scipy.stats")


def positive(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as a flat float array; ValueError unless every value is finite and positive."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must hold finite positive numbers")
    return array


Pair = tuple[float, float]  # (reference, candidate): the seconds of one unit of work on each side
