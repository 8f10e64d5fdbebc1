"""The machine and software a run was measured on.

``capture_environment`` gathers what is needed to judge whether two runs can
be compared: the Python, the platform, the CPU (model, count, frequency
governor), the memory, the timer, the versions of signoff and of the packages
that shape its measurements, the git commit of the working directory, and the
load average as the run starts. ``completed`` adds what is known only when the
work ends: the load average then, and the run's noise figure (the largest
relative spread of the reference's repeated timings, ``RunResult.noise``).
Every probe is best effort: a missing file, a missing package, a missing
``git`` or a directory outside any repository means the key is left out,
never an exception. ``measured_on`` puts a record (possibly an old or odd one,
read back from a report or the store) in a few words, for the reports.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["KEY_PACKAGES", "capture_environment", "completed", "load_average", "measured_on"]

# Distributions whose versions can change a verdict or its evidence.
KEY_PACKAGES: tuple[str, ...] = ("signoff", "hypothesis", "numpy", "scipy", "rich")

# Seconds a single ``git`` call may take before it is given up.
_GIT_TIMEOUT_S = 2.0

_CPUINFO = Path("/proc/cpuinfo")
_SCHEDSTAT = Path("/proc/thread-self/schedstat")
_GOVERNOR = Path("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
_CPUINFO_MODEL_KEYS = ("model name", "cpu model", "cpu", "model", "processor")


def capture_environment(cwd: Path) -> dict[str, Any]:
    """Describe the interpreter, machine, packages and git state seen from ``cwd``.

    The result is JSON-serialisable. Keys that cannot be determined are omitted.
    """
    env: dict[str, Any] = {
        "python": _python(),
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
        },
        "cpu": _cpu(),
        "timer": _timer(),
    }
    memory = _memory_bytes()
    if memory:
        env["memory_bytes"] = memory
    env["packages"] = _package_versions(KEY_PACKAGES)
    git = _git_state(cwd)
    if git:
        env["git"] = git
    load = load_average()
    if load is not None:
        env["load_average"] = {"before": load}
    return env


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages; None where the platform keeps none (Windows)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def completed(environment: Mapping[str, Any], *, load_after: list[float] | None,
              noise: float | None, sandbox: str | None = None) -> dict[str, Any]:
    """``environment`` with what is known when the run's work ends: the load average then
    (``load_average.after``), the run's noise figure and what isolated its workers
    (``runner.process.sandbox_words``), each where there is one."""
    env = dict(environment)
    if sandbox is not None:
        env["sandbox"] = sandbox
    if load_after is not None:
        before = env.get("load_average")
        env["load_average"] = {**(before if isinstance(before, Mapping) else {}), "after": load_after}
    if noise is not None:
        env["noise"] = noise
    return env


def _python() -> dict[str, Any]:
    python: dict[str, Any] = {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "compiler": platform.python_compiler(),
        "executable": sys.executable,
    }
    gil = getattr(sys, "_is_gil_enabled", None)  # free-threaded builds (3.13+) can turn it off
    if callable(gil):
        python["gil"] = bool(gil())
    return python


def _cpu() -> dict[str, Any]:
    cpu: dict[str, Any] = {}
    model = _cpu_model()
    if model:
        cpu["model"] = model
    count = os.cpu_count()
    if count is not None:
        cpu["count"] = count
    try:
        if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
            cpu["available"] = len(os.sched_getaffinity(0))
    except OSError:
        pass
    try:  # "powersave" or "ondemand" make timings noisier than "performance"
        cpu["governor"] = _GOVERNOR.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    return cpu


def _timer() -> dict[str, Any]:
    info = time.get_clock_info("perf_counter")
    return {
        "clock": "perf_counter",
        "implementation": info.implementation,
        "resolution_s": info.resolution,
        # Whether a batch's waits for a CPU can be told apart and left out (runner/measure.py).
        "less_cpu_wait": _SCHEDSTAT.is_file(),
    }


def _memory_bytes() -> int | None:
    """Physical memory in bytes, where the platform says."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def _cpu_model() -> str | None:
    """The CPU model name from ``/proc/cpuinfo``, else ``platform.processor()``."""
    try:
        text = _CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if sep and value and key not in fields:
            fields[key] = value
    # x86 says "model name"; some ARM, POWER and s390 kernels use other keys.
    # "model" and "processor" are plain numbers on x86, so digits are skipped.
    for key in _CPUINFO_MODEL_KEYS:
        value = fields.get(key, "")
        if value and not value.isdigit():
            return value
    processor = platform.processor().strip()
    return processor or None


def _package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of ``names``; packages that are not installed are omitted."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        except Exception:  # a broken distribution must not stop a run
            continue
    return versions


def _git(cwd: Path, *args: str) -> str | None:
    """Output of ``git args...`` run in ``cwd``, or ``None`` if it did not succeed."""
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip()


def _git_state(cwd: Path) -> dict[str, Any]:
    """The commit and dirty flag of the repository around ``cwd``; empty if there is none."""
    if not cwd.is_dir():
        return {}
    commit = _git(cwd, "rev-parse", "HEAD")
    if not commit:
        return {}
    state: dict[str, Any] = {"commit": commit}
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    if status is not None:
        state["dirty"] = bool(status)
    return state


# ------------------------------------------------------------------ in words


def measured_on(environment: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, words) for what a report shows of the machine, in order: CPU model x count, load
    before -> after, Python, signoff, commit, timer resolution, noise, sandbox. A key that is missing or
    not of its kind (a record from an older or newer signoff) is left out, never an exception."""
    parts = [("CPU", _cpu_words(environment.get("cpu"))),
             ("load", _load_words(environment.get("load_average"))),
             ("Python", _text(_get(environment, "python", "version"))),
             ("signoff", _text(_get(environment, "packages", "signoff"))),
             ("commit", _commit_words(environment.get("git"))),
             ("timer", _timer_words(environment.get("timer"))),
             ("noise", _percent_words(_number(environment.get("noise")))),
             ("sandbox", _text(environment.get("sandbox")))]
    return [(label, words) for label, words in parts if words]


def _timer_words(timer: object) -> str:
    if not isinstance(timer, Mapping):
        return ""
    words = _seconds_words(_number(timer.get("resolution_s")))
    return f"{words}, waits for a CPU left out" if words and timer.get("less_cpu_wait") is True else words


def _get(environment: Mapping[str, Any], key: str, inner: str) -> object:
    value = environment.get(key)
    return value.get(inner) if isinstance(value, Mapping) else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None


def _cpu_words(cpu: object) -> str:
    if not isinstance(cpu, Mapping):
        return ""
    model = _text(cpu.get("model")) or "CPU"
    count, available = _number(cpu.get("count")), _number(cpu.get("available"))
    if count is None:
        return model if model != "CPU" else ""
    # Fewer CPUs usable than the machine has (a container, taskset) matters to timings.
    usable = f" ({available:.0f} usable)" if available is not None and available < count else ""
    return f"{model} x{count:.0f}{usable}"


def _load_words(load: object) -> str:
    """The 1-minute load average before -> after (the others are in the record)."""
    if not isinstance(load, Mapping):
        return ""
    ends = []
    for key in ("before", "after"):
        values = load.get(key)
        first = _number(values[0]) if isinstance(values, list | tuple) and values else None
        ends.append("?" if first is None else f"{first:.2f}")
    return "" if ends == ["?", "?"] else " -> ".join(ends)


def _commit_words(git: object) -> str:
    if not isinstance(git, Mapping) or not _text(git.get("commit")):
        return ""
    return _text(git.get("commit"))[:7] + (" (dirty)" if git.get("dirty") is True else "")


def _seconds_words(seconds: float | None) -> str:
    if seconds is None or seconds <= 0:
        return ""
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3)):
        if seconds < scale * 1000:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def _percent_words(fraction: float | None) -> str:
    if fraction is None or fraction < 0:
        return ""
    percent = fraction * 100
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"
