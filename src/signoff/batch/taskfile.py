"""Tasks from a Python file: ``signoff batch --tasks tasks.py``.

For what JSONL cannot say: Hypothesis strategies of any shape and workloads
written as functions. The file defines ``TASKS``, a list of
``signoff.batch.Task``, or a function ``tasks()`` that returns one::

    import signoff
    from hypothesis import strategies as st
    from signoff.batch import Task

    REFERENCE = "def total(xs):\\n    return sum(xs)\\n"

    TASKS = [Task("Own/total", "total", REFERENCE,
                  strategy=st.lists(st.integers()),            # one argument; signoff.args(...) for several
                  workload=signoff.workload(lambda n: list(range(n)), sizes=[1_000, 100_000]),
                  speed=signoff.speed(at_most=2.0))]           # leave out to report the ratio only

The file runs as a module that is not entered in ``sys.modules``, so Ray
ships its functions and strategies by value to nodes where the file does not
exist. A mistake (the file raises, ``TASKS`` holds something else, a task id
twice) is a one-line SpecError with the file and, where there is one, the line.
"""

from __future__ import annotations

import re
import traceback
import types
from collections.abc import Iterable
from pathlib import Path

from signoff.batch.task import Task, take
from signoff.errors import SpecError


def load_task_file(path: Path, *, limit: int | None = None) -> list[Task]:
    """The tasks the file defines, in order; the first ``limit`` only."""
    module = _run(path)
    maker = getattr(module, "tasks", None)
    if callable(maker):
        where = "tasks()"
        try:
            found = maker()
        except SpecError as error:
            raise SpecError(f"{path}:{_line(error, path)}: {error}") from None
        except (Exception, SystemExit) as error:  # exit() in user code is an error
            raise SpecError(f"{path}:{_line(error, path)}: tasks() raised {type(error).__name__}: "
                            f"{error}") from None
    elif hasattr(module, "TASKS"):
        where, found = "TASKS", module.TASKS
    else:
        raise SpecError(f"{path}: defines neither TASKS (a list of signoff.batch.Task) nor a function "
                        "tasks() that returns one")
    if isinstance(found, str | bytes | dict) or not isinstance(found, Iterable):
        raise SpecError(f"{path}: {where} must be a list of signoff.batch.Task, not {type(found).__name__}")
    tasks = take(((f"{path}: {where}[{position}]", _checked(task, f"{path}: {where}[{position}]"))
                  for position, task in enumerate(found)), limit)
    if not tasks and limit != 0:
        raise SpecError(f"{path}: {where} holds no tasks")
    return tasks


def _checked(task: object, where: str) -> Task:
    if not isinstance(task, Task):
        raise SpecError(f"{where} is {type(task).__name__} {task!r:.60}, not a signoff.batch.Task")
    return task


def _run(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise SpecError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    resolved = path.resolve()
    try:
        source = resolved.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read it: {error}") from None
    module = types.ModuleType("signoff_tasks_" + re.sub(r"\W", "_", resolved.stem))
    module.__file__ = str(resolved)  # so the file can find files beside it
    try:
        exec(compile(source, str(resolved), "exec"), module.__dict__)
    except SyntaxError as error:
        raise SpecError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from None
    except SpecError as error:
        raise SpecError(f"{path}:{_line(error, path)}: {error}") from None
    except (Exception, SystemExit) as error:  # exit() in user code is an error
        raise SpecError(f"{path}:{_line(error, path)}: the file raised {type(error).__name__}: "
                        f"{error}") from None
    return module


def _line(error: BaseException, path: Path) -> int | str:
    """The file's last line in the traceback: where its code raised."""
    line: int | str = "?"
    resolved = str(path.resolve())
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == resolved and frame.lineno is not None:
            line = frame.lineno
    return line
