"""Every function of bench/growth_classification.py behind one target, for
bench/instruction_counts.py: one counting worker counts them all (it loads that file, numpy
and signoff with it, once: 12 s under Valgrind)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any


def _load_classification() -> Any:
    path = Path(__file__).resolve().parents[1] / "growth_classification.py"
    spec = importlib.util.spec_from_file_location("growth_classification", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_CLASSIFICATION = _load_classification()


def classified(name, data):
    """The subject ``name`` of bench/growth_classification.py on ``data``."""
    return getattr(_CLASSIFICATION, name)(data)
