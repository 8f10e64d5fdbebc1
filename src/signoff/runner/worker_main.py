"""The worker process: loads one target and calls it on batches of cases.

One module over 400 lines, on purpose: it is started as a script by its path
and imports nothing of signoff, so the whole worker side (protocol, limits,
measurement, outcome encoding) must be in this one file.

Run as a script (``python worker_main.py``), never imported by the parent, so
that a worker starts without importing signoff, Hypothesis or numpy: it uses
the standard library only. It is the untrusted side: whatever it sends back
is checked and decoded by the parent, which never unpickles it.

Started as ``worker_main.py REQUEST_FD REPLY_FD MEMORY_BYTES LIFELINE_FD``
(see ``watch_lifeline``). Protocol (frames are a 4-byte big-endian length
and a payload; the parent checks every frame and fails a worker that sends
anything else, ``PROTOCOL_BROKEN``):

- parent -> worker, pickle: ``("load", target_spec, preload)`` once, then
  ``("call", [case_bytes, ...], repeat, strict, arguments)`` any number of times;
  ``("time", case, count)``, ``("memory", case)`` and, in a worker run under
  Callgrind, ``("count", case, calls, warmup_calls, warmup_s)`` measure one input.
- worker -> parent, marshal: ``("ready", sandbox)`` or ``("load_error", kind, text)``
  after the load; then one frame per case, in order, each a tuple of
  ``repeat`` outcome byte strings (see ``outcome``). Frames are sent in bursts
  every FLUSH_INTERVAL_S, or after every case when ``strict``.
- For ``("time", ...)`` the worker replies ``("begin",)``, waits for the
  parent's go (any frame), times the calls and replies ``("timed",
  seconds)`` (see ``time_batch``).
"""

from __future__ import annotations

import faulthandler
import gc
import importlib
import importlib.util
import marshal
import os
import pickle
import resource
import signal
import struct
import sys
import time
import tracemalloc
from typing import Any

# Version 2 has no back-references, so equal values from two processes
# marshal to equal bytes, and the parent can compare outcomes as bytes first.
MARSHAL_VERSION = 2
HEADER = struct.Struct(">I")
EXACT_LEAVES = (type(None), bool, int, float, complex, str, bytes)
LEAF_TYPES = frozenset(EXACT_LEAVES)
# Outcomes are written in bursts at most this far apart, not one syscall per
# case: a write costs more than a small call. The parent re-runs a burst case
# by case (``strict``) when it must tell which case hung or crashed.
FLUSH_INTERVAL_S = 0.002
# A non-builtin object becomes (OBJECT_MARK, "module.Qualname", state); a real
# tuple that happens to start with the mark is escaped so the two never mix.
OBJECT_MARK = b"\x00signoff:object\x00"
ESCAPE_MARK = b"\x00signoff:escaped\x00"
MAX_DEPTH = 200
MEMORY_OUTCOME = marshal.dumps(("memory",), MARSHAL_VERSION)
# unshare(2) flags (linux/sched.h): a network namespace, and a user namespace to make one unprivileged.
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
ALLOW_NETWORK_ENV = "SIGNOFF_ALLOW_NETWORK"  # "1": workers keep the network (see leave_the_network)
# Why the parent failed a worker whose frame it could not take: code in the worker (the target's)
# wrote on the reply pipe or crafted a reply. Said after "worker ".
PROTOCOL_BROKEN = "broke signoff's protocol: sent what no worker sends"
# Taken when this module loads, before any user code, so a target that patches
# time.perf_counter cannot change the clock its own calls are timed with.
CLOCK = time.perf_counter
CPU_CLOCK = time.process_time  # the same for the CPU time a counting worker warms up for
# Where Linux says how long this thread has waited for a CPU while it could
# run (the second number, in ns). A timed batch is charged its wall time less
# that wait: on a busy machine the other processes' turns are not the
# target's cost, while its own sleeps, I/O and fsyncs still are. Opened
# before the target loads (see main); -1 where the kernel keeps no such count.
SCHEDSTAT = "/proc/thread-self/schedstat"
queue_fd = -1
PREAD = os.pread
# The last timed input, freed when the next request arrives: freeing a large
# one takes long, and the parent's view of the batch just ended (up to its
# reading of the waits for a CPU, runner/measure.py) must not include it.
retired: list[Any] = []
# Where a worker run under Callgrind finds the helper that counts (``runner.instructions``).
COUNTER_LIBRARY_ENV = "SIGNOFF_CALLGRIND_HELPER"


class Unserializable(Exception):
    """The value cannot be turned into plain data."""


def canonical(value: Any, depth: int = 0) -> Any:
    """Plain data (builtins only) that says everything the comparison needs.

    Builtin leaves stay as they are (marshal keeps their exact type: 1, 1.0
    and True stay different). Containers are rebuilt with their exact builtin
    type. Anything else becomes its qualified type name plus its state, so the
    parent compares state and never calls the candidate's ``__eq__``.
    """
    kind = type(value)
    if kind in EXACT_LEAVES:
        return value
    if depth > MAX_DEPTH:
        raise Unserializable(f"nested deeper than {MAX_DEPTH} levels (a cycle?)")
    depth += 1
    if kind is list:
        if LEAF_TYPES.issuperset(map(type, value)):  # the common case, at C speed
            return value
        return [canonical(item, depth) for item in value]
    if kind is tuple:
        if LEAF_TYPES.issuperset(map(type, value)) and not (value and type(value[0]) is bytes):
            return value
        items = tuple(canonical(item, depth) for item in value)
        if items and items[0] in (OBJECT_MARK, ESCAPE_MARK):
            return (ESCAPE_MARK, items)
        return items
    if kind is dict or kind is set or kind is frozenset:
        if kind is dict:
            contents: list[Any] = [(canonical(k, depth), canonical(v, depth)) for k, v in value.items()]
        else:
            contents = [canonical(item, depth) for item in value]
        try:
            return kind(contents)
        except TypeError:  # a key or member whose record holds a dict or a list: no hash
            raise Unserializable(f"a {kind.__name__} whose keys or members are objects holding a dict "
                                 "or a list (their records cannot be hashed)") from None
    if kind is bytearray:
        return _object(value, bytes(value))
    return _object(value, _state(value, depth))


def _object(value: Any, state: Any) -> tuple[Any, ...]:
    return (OBJECT_MARK, type_name(type(value)), state)


# The module the target was loaded from. Its own classes are named "<target>.X"
# so that a reference's Point and a candidate's Point, defined in two different
# files, compare by state rather than differ by module name.
target_module = ""


def type_name(kind: type) -> str:
    module = "<target>" if kind.__module__ == target_module else kind.__module__
    return f"{module}.{kind.__qualname__}"


def _state(value: Any, depth: int) -> Any:
    """The state of a non-builtin object, as plain data."""
    if isinstance(value, BaseException):
        return canonical(value.args, depth)
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, array.array
    if callable(tolist) and hasattr(value, "dtype"):
        return (str(value.dtype), canonical(getattr(value, "shape", ()), depth),
                canonical(tolist(), depth))
    builtin_bases: tuple[Any, ...] = (int, float, complex, str, bytes, tuple, list, dict, frozenset, set)
    if isinstance(value, builtin_bases):
        # A subclass of a builtin (IntEnum, namedtuple, OrderedDict, ...): its
        # builtin value plus whatever extra attributes it carries.
        base = next(base for base in builtin_bases if isinstance(value, base))
        plain = base(value)
        extra = getattr(value, "__dict__", None)
        return (canonical(plain, depth), canonical(dict(extra), depth) if extra else None)
    fields = getattr(value, "__dict__", None)
    slots = [name for cls in type(value).__mro__ for name in getattr(cls, "__slots__", ())]
    if fields is None and not slots:
        if callable(value) or type(value).__module__ == "builtins":
            raise Unserializable(f"{type(value).__qualname__} object has no comparable state")
        return None
    state = dict(fields) if fields is not None else {}
    for name in slots:
        if isinstance(name, str) and name not in ("__dict__", "__weakref__") and hasattr(value, name):
            state[name] = getattr(value, name)
    return canonical(state, depth)


def outcome(func: Any, case: bytes, arguments: bool = True) -> bytes:
    """Call ``func`` on a fresh copy of the case; the outcome as marshal bytes.

    ``("ok", result, args, kwargs)``, ``("raise", type_name, message, args,
    kwargs)``, ``("memory",)`` or ``("unserializable", what, why)``. The
    arguments are captured after the call, so a mutation shows; without
    ``arguments`` (large cost-criterion inputs) they are None.
    """
    args, kwargs = pickle.loads(case)
    try:
        result = func(*args, **kwargs)
        status: tuple[Any, ...] = ("ok", result)
    except MemoryError:
        return MEMORY_OUTCOME
    except BaseException as error:  # the candidate's own failure is an outcome
        status = ("raise", type_name(type(error)), _message(error))
    try:
        after = (canonical(args), canonical(kwargs)) if arguments else (None, None)
        encoded = (*(canonical(item) for item in status), *after)
        return marshal.dumps(encoded, MARSHAL_VERSION)
    except (Unserializable, ValueError, RecursionError) as error:
        what = "result" if status[0] == "ok" else "exception"
        return marshal.dumps(("unserializable", what, str(error)[:500]), MARSHAL_VERSION)


def _message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except Exception:  # a __str__ that raises is the candidate's business
        return f"<{type(error).__qualname__} whose str() raised>"


class _PreloadFinder:
    """Finds the spec module (and other files) by name, for unpickling inputs.

    A meta path finder by protocol (``find_spec``), not by subclassing
    ``importlib.abc.MetaPathFinder``: importing ``importlib.abc`` costs a
    worker about 35 ms of its start-up.
    """

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        location = self.paths.get(name)
        if location is None:
            return None
        return importlib.util.spec_from_file_location(name, location)


def load_target(spec: dict[str, Any]) -> Any:
    """Import the target and return the callable, or raise LookupError if absent."""
    if spec["path"] is not None:
        path = spec["path"]
        if not os.path.isfile(path):
            raise LookupError(f"file not found: {path}")
        directory = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, directory)
        module_spec = importlib.util.spec_from_file_location(spec["module"], path)
        if module_spec is None or module_spec.loader is None:
            raise LookupError(f"cannot load {path} as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[spec["module"]] = module
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(spec["module"])
        except ModuleNotFoundError as error:
            if error.name and spec["module"].startswith(error.name):
                raise LookupError(f"module not found: {spec['module']}") from None
            raise
    obj: Any = module
    for part in spec["qualname"].split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            import difflib  # only here: a target that is found never pays for it

            names = [name for name in dir(obj) if not name.startswith("_")]
            close = difflib.get_close_matches(part, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise LookupError(
                f"{spec['module']} has no attribute {spec['qualname']!r}{hint}"
            ) from None
    if not callable(obj):
        raise LookupError(f"{spec['module']}:{spec['qualname']} is not callable")
    return obj


def import_error_line(error: BaseException) -> str:
    """One line saying what went wrong importing a target, and where: the file, the line and, for
    a syntax error, the line's text (the last line of a load failure's detail, what reports show)."""
    if isinstance(error, SyntaxError):
        where = f"{os.path.basename(error.filename or '?')} line {error.lineno}"
        shown = f": {error.text.strip()}" if error.text and error.text.strip() else ""
        return f"{type(error).__name__}: {error.msg} ({where}{shown})"
    frames = []
    traceback_ = error.__traceback__
    while traceback_ is not None:
        frames.append(traceback_)
        traceback_ = traceback_.tb_next
    origin = frames[-1].tb_frame.f_code.co_filename if frames else ""
    known = frames and origin[:1] != "<"  # not "<frozen importlib._bootstrap>"
    where = f" ({os.path.basename(origin)} line {frames[-1].tb_lineno})" if known else ""
    return f"{type(error).__name__}: {error}{where}"


def read_frame(fd: int) -> bytes | None:
    header = _read_exact(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    return _read_exact(fd, size)


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_frame(fd: int, payload: bytes) -> None:
    write_all(fd, _frame(payload))


def main() -> None:
    request_fd, reply_fd, memory_limit = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    watch_lifeline(int(sys.argv[4]))
    sandbox = leave_the_network()
    # The script's own folder must not shadow the user's modules.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = os.getcwd()
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    frame = read_frame(request_fd)
    if frame is None:
        return
    _, target_spec, preload = pickle.loads(frame)
    global queue_fd
    try:
        queue_fd = os.open(SCHEDSTAT, os.O_RDONLY)
        queued_s()
    except (OSError, ValueError, IndexError):
        queue_fd = -1
    sys.meta_path.insert(0, _PreloadFinder(preload))
    global target_module
    target_module = target_spec["module"]
    faulthandler.enable()  # a crash leaves its cause in the output the parent keeps
    try:
        func = load_target(target_spec)
    except LookupError as error:
        write_frame(reply_fd, marshal.dumps(("load_error", "not_found", str(error)), MARSHAL_VERSION))
        return
    except BaseException as error:
        import traceback  # only here: a worker that loads cleanly never pays for it

        text = traceback.format_exc(limit=-8)[-4000:] + "\n" + import_error_line(error)
        write_frame(reply_fd, marshal.dumps(("load_error", "import_failed", text), MARSHAL_VERSION))
        return
    write_frame(reply_fd, marshal.dumps(("ready", sandbox), MARSHAL_VERSION))

    while True:
        frame = read_frame(request_fd)
        if frame is None:
            return
        retired.clear()
        request = pickle.loads(frame)
        if request[0] == "call":
            call_cases(func, reply_fd, *request[1:])
        elif request[0] == "time":
            time_batch(func, request_fd, reply_fd, *request[1:])
        elif request[0] == "memory":
            peak_memory(func, reply_fd, *request[1:])
        elif request[0] == "count":
            count_calls(func, reply_fd, *request[1:])
        else:
            return


def watch_lifeline(lifeline_fd: int) -> None:
    """Start a watchdog that kills this worker's process group (the worker, the candidate's
    children, itself) when signoff is gone, however it went: SIGKILL, a CI job's timeout, Ctrl-C.

    The parent holds the only write end of the lifeline pipe and never writes to it, so a read
    returns only at end of file, when the parent's copy is closed: by the kernel as the parent
    dies, or by ``Worker.kill``. A separate process, not a thread, because a candidate's call can
    hold the interpreter for minutes; forked before the target loads, so it holds nothing of it;
    forked twice, so that it is no child of the worker (a candidate's ``os.wait()`` never meets it,
    and it leaves no zombie behind). Armed only in a worker that leads its own process group.
    """
    if os.getpgrp() == os.getpid():
        middle = os.fork()
        if middle == 0:
            if os.fork() == 0:
                _watch(lifeline_fd)
            os._exit(0)
        os.waitpid(middle, 0)
    os.close(lifeline_fd)


def _watch(lifeline_fd: int) -> None:
    try:
        # Only the lifeline stays open: a watchdog holding the reply or output pipe would hide the
        # worker's death from the parent, which waits for their end of file.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, lifeline_fd)
        os.closerange(lifeline_fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        while os.read(lifeline_fd, 1):
            pass
    finally:
        os.killpg(0, signal.SIGKILL)
        os._exit(0)


def leave_the_network() -> str:
    """Move this worker into a network namespace of its own before the target loads: no interface
    but a loopback that is down, so the target reaches no network, not even this machine's TCP
    services. Inside a user namespace of its own (this user mapped to itself), even as root: a
    root worker could otherwise join signoff's namespace again with setns(2). What it got, for the
    run's record: ``"netns+userns"``, ``"netns"`` (a kernel without user namespaces, as root),
    or ``""`` (refused, or ``SIGNOFF_ALLOW_NETWORK=1``: an engine that talks to a server)."""
    if os.environ.get(ALLOW_NETWORK_ENV) == "1":
        return ""
    try:
        import ctypes  # only here, once per worker: Python 3.11 has no os.unshare

        unshare = ctypes.CDLL(None, use_errno=True).unshare
    except (OSError, AttributeError):
        return ""
    uid, gid = os.getuid(), os.getgid()
    if unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        maps = (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1"))
        try:  # without the maps the worker would be nobody, and might not read its own files
            for name, text in maps:
                with open(f"/proc/self/{name}", "w") as mapping:
                    mapping.write(text)
        except OSError:
            pass
        return "netns+userns"
    return "netns" if unshare(CLONE_NEWNET) == 0 else ""


def call_cases(func: Any, reply_fd: int, cases: list[bytes], repeat: int, strict: bool,
               arguments: bool) -> None:
    """Outcomes of each case, streamed in bursts (see the module docstring)."""
    pending: list[bytes] = []
    flushed = CLOCK()
    for case in cases:
        outcomes = tuple(outcome(func, case, arguments) for _ in range(repeat))
        pending.append(_frame(marshal.dumps(outcomes, MARSHAL_VERSION)))
        if MEMORY_OUTCOME in outcomes:
            # After a MemoryError the interpreter may be half broken: stop
            # here and let the parent start a fresh worker.
            write_all(reply_fd, b"".join(pending))
            os._exit(0)
        if strict or CLOCK() - flushed >= FLUSH_INTERVAL_S:
            write_all(reply_fd, b"".join(pending))
            pending.clear()
            flushed = CLOCK()
    if pending:
        write_all(reply_fd, b"".join(pending))


def time_batch(func: Any, request_fd: int, reply_fd: int, case: bytes, count: int) -> None:
    """Time ``count`` calls on one fresh copy of the input.

    Replies ``("begin",)`` when the input is ready and starts the clock when
    the parent says go (any frame), so that the parent times the same
    stretch from outside from a moment it knows; then ``("timed", seconds)``
    or the outcome of a call that raised. The seconds are the batch's wall time less
    the time this thread waited for a CPU (``queued_s``).
    """
    args, kwargs = pickle.loads(case)
    retired.append((args, kwargs))
    gc.collect()
    gc.disable()
    try:
        write_frame(reply_fd, marshal.dumps(("begin",), MARSHAL_VERSION))
        if read_frame(request_fd) is None:
            os._exit(0)  # the parent is gone
        started = CLOCK()
        queued = queued_s()
        try:
            _calls(func, args, kwargs, count)
        except MemoryError:
            write_frame(reply_fd, MEMORY_OUTCOME)
            os._exit(0)
        except BaseException as error:
            reply: tuple[Any, ...] = ("raise", type_name(type(error)), _message(error))
        else:
            queued = queued_s() - queued
            reply = ("timed", CLOCK() - started - queued)
        del args, kwargs  # still held by ``retired``: freed at the next request
        write_frame(reply_fd, marshal.dumps(reply, MARSHAL_VERSION))
    finally:
        gc.enable()


def queued_s() -> float:
    """Seconds this thread has waited for a CPU since it started; 0.0 where unknown."""
    if queue_fd < 0:
        return 0.0
    return int(PREAD(queue_fd, 128, 0).split()[1]) / 1e9


def count_calls(func: Any, reply_fd: int, case: bytes, calls: int, warmup_calls: int,
                warmup_s: float) -> None:
    """Count the instructions of ``calls`` calls on one fresh copy of the input, under Callgrind.

    First calls not counted, at least one and up to ``warmup_calls`` while under ``warmup_s``
    seconds of CPU time (the interpreter specialises a function's bytecode during its first calls
    or loop iterations); then two counted regions, each ending in a Callgrind dump that the parent
    reads: the region with no call (the counting's own overhead), then with ``calls`` calls.
    Replies ``("counted",)`` or the outcome of a call that raised; never the number.
    """
    args, kwargs = pickle.loads(case)
    begin, end = _counter()
    gc.collect()
    gc.disable()
    try:
        try:
            started, warmed = CPU_CLOCK(), 0
            while warmed == 0 or (warmed < warmup_calls and CPU_CLOCK() - started < warmup_s):
                _calls(func, args, kwargs, 1)
                warmed += 1
            for count in (0, calls):
                begin()
                try:
                    _calls(func, args, kwargs, count)
                finally:
                    end()
        except MemoryError:
            write_frame(reply_fd, MEMORY_OUTCOME)
            os._exit(0)
        except BaseException as error:
            reply: tuple[Any, ...] = ("raise", type_name(type(error)), _message(error))
        else:
            reply = ("counted",)
        write_frame(reply_fd, marshal.dumps(reply, MARSHAL_VERSION))
    finally:
        gc.enable()


def _calls(func: Any, args: Any, kwargs: Any, count: int) -> None:
    """``count`` calls: the one loop of a timed batch, and of the warm-up and both counted
    regions of a count (so that the interpreter has specialised it before it is counted)."""
    for _ in range(count):
        func(*args, **kwargs)


_counter_functions: tuple[Any, Any] | None = None


def _counter() -> tuple[Any, Any]:
    """The helper's begin and end (``signoff.runner.instructions``), loaded on first use."""
    global _counter_functions
    if _counter_functions is None:
        import ctypes  # only here: a worker that never counts never pays for it

        library = ctypes.CDLL(os.environ[COUNTER_LIBRARY_ENV])
        begin, end = library.signoff_count_begin, library.signoff_count_end
        begin.restype = end.restype = None
        _counter_functions = (begin, end)
    return _counter_functions


def peak_memory(func: Any, reply_fd: int, case: bytes) -> None:
    """Peak memory of one call: Python allocations and the process's resident set.

    Replies ``("memory_peak", python_bytes, native_bytes, native_method)``.
    """
    args, kwargs = pickle.loads(case)
    gc.collect()
    hwm_reset = _reset_rss_high_water()
    baseline = _resident_bytes()
    tracemalloc.start()
    try:
        func(*args, **kwargs)
    except MemoryError:
        tracemalloc.stop()
        write_frame(reply_fd, MEMORY_OUTCOME)
        os._exit(0)
    except BaseException as error:
        tracemalloc.stop()
        reply: tuple[Any, ...] = ("raise", type_name(type(error)), _message(error))
    else:
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        high_water = _high_water_bytes()
        method = "rss high-water since reset" if hwm_reset else "rss high-water above baseline"
        reply = ("memory_peak", python_peak, max(0, high_water - baseline), method)
    write_frame(reply_fd, marshal.dumps(reply, MARSHAL_VERSION))


def _high_water_bytes() -> int:
    """Peak resident set of this process image. Not ru_maxrss: that one keeps the
    peak of the parent that forked this worker, across exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_rss_high_water() -> bool:
    """Reset the kernel's peak-RSS counter (Linux >= 4.0), so ru_maxrss covers only the call."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
