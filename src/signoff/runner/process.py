"""Worker processes as the parent sees them: start, call in batches, kill.

Each worker is a fresh interpreter in its own session (process group), with
an address-space limit, its stdout and stderr drained and counted by the
parent, and a per-case deadline. When a case crashes, hangs, floods its
output or runs out of memory, the worker is killed as a group, the case gets
that outcome, and a fresh worker carries on with the remaining cases: one bad
case never costs the rest of the batch.
"""

from __future__ import annotations

import marshal
import os
import pickle
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from signoff.runner import instructions, worker_main
from signoff.targets import Target

WORKER_SCRIPT = Path(worker_main.__file__).resolve()
HEADER = worker_main.HEADER
MARSHAL_VERSION = worker_main.MARSHAL_VERSION
# How much of a worker's output to keep for diagnosing a crash.
OUTPUT_TAIL_BYTES = 4096
READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """What a worker may use. Defaults suit unit-sized calls; a spec can raise them."""

    timeout_s: float = 5.0  # per call; a slow but finite reference needs more
    memory_bytes: int = 2 << 30  # address space; generous for CPython plus numpy
    output_bytes: int = 1 << 20  # stdout+stderr per case; beyond is a flood
    load_timeout_s: float = 60.0  # importing the target (first import of numpy, torch...)


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """Why a worker could not load its target."""

    kind: str  # "not_found" (a usage error), "import_failed", "crashed", "timeout"
    detail: str

    @property
    def summary(self) -> str:
        """What went wrong, in a line: the cause and the detail's last line (for an import that
        raised, the error with its file and line: ``worker_main.import_error_line``)."""
        cause = {"import_failed": "failed to import", "crashed": "crashed while importing",
                 "timeout": "did not finish importing in time",
                 "not_found": "was not found"}.get(self.kind, self.kind)
        lines = self.detail.strip().splitlines()
        return f"{cause}: {lines[-1].strip()}" if lines else cause


def crash_outcome(text: str) -> bytes:
    return marshal.dumps(("crash", text), MARSHAL_VERSION)


def timeout_outcome(seconds: float) -> bytes:
    return marshal.dumps(("timeout", seconds), MARSHAL_VERSION)


def flood_outcome(size: int) -> bytes:
    return marshal.dumps(("flood", size), MARSHAL_VERSION)


@dataclass
class Worker:
    """One worker process for one target; restarted after every fatal case."""

    target: Target
    limits: Limits = field(default_factory=Limits)
    preload: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # extra environment for the worker
    process: subprocess.Popen[bytes] | None = None
    reply_fd: int = -1
    request_fd: int = -1
    output_fd: int = -1
    lifeline_fd: int = -1  # never written; its closing tells the worker's watchdog to kill the worker
    output_tail: bytes = b""
    restarts: int = 0
    # Bytes read from the reply pipe but not yet taken as frames: one read may
    # bring several frames, and the next caller must find the rest here.
    buffer: bytearray = field(default_factory=bytearray)
    # Counting: the worker runs under Callgrind (``counting_worker``), its dumps in this folder.
    dumps: Path | None = None

    def start(self) -> LoadFailure | None:
        """Start the process and load the target; None when it is ready."""
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        lifeline_read, self.lifeline_fd = os.pipe()
        env = dict(os.environ)
        # Same hash seed on both sides, so equal sets iterate alike; one
        # thread for numerical libraries, so timings are not a thread lottery.
        env.update(PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        env.update(self.env)
        prefix: list[str] = []
        if self.dumps is not None:
            instructions.clear(self.dumps)
            prefix = instructions.command(self.dumps)
            env.update(instructions.ENVIRONMENT)
            env[worker_main.COUNTER_LIBRARY_ENV] = str(instructions.require())
        try:
            self.process = subprocess.Popen(
                [*prefix, sys.executable, str(WORKER_SCRIPT), str(request_read), str(reply_write),
                 str(self.limits.memory_bytes), str(lifeline_read)],
                stdin=subprocess.DEVNULL, stdout=output_write, stderr=output_write,
                pass_fds=(request_read, reply_write, lifeline_read), start_new_session=True, env=env,
            )
        finally:
            for fd in (request_read, reply_write, output_write, lifeline_read):
                os.close(fd)
        self.request_fd, self.reply_fd, self.output_fd = request_write, reply_read, output_read
        os.set_blocking(self.output_fd, False)
        self.output_tail = b""
        self.buffer.clear()
        self.send(("load", self.target.for_worker(), dict(self.preload)))
        deadline = time.monotonic() + self.limits.load_timeout_s
        reply = self.read_frame(deadline)
        if reply is None:
            reason = self.describe_death(timed_out=time.monotonic() >= deadline)
            self.kill()
            return LoadFailure("timeout" if time.monotonic() >= deadline else "crashed", reason)
        message = marshal.loads(reply)
        if message[0] == "ready":
            return None
        self.kill()
        return LoadFailure(message[1], message[2])

    def send(self, message: Any) -> bool:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(HEADER.pack(len(payload)) + payload)
        try:
            while view:
                view = view[os.write(self.request_fd, view):]
        except (BrokenPipeError, OSError):
            return False
        return True

    def read_frame(self, deadline: float) -> bytes | None:
        """One frame, draining output meanwhile; None on EOF or deadline."""
        buffer = self.buffer
        with selectors.DefaultSelector() as selector:
            selector.register(self.reply_fd, selectors.EVENT_READ, "reply")
            selector.register(self.output_fd, selectors.EVENT_READ, "output")
            while True:
                if len(buffer) >= HEADER.size:
                    (size,) = HEADER.unpack_from(buffer)
                    if len(buffer) >= HEADER.size + size:
                        frame = bytes(buffer[HEADER.size:HEADER.size + size])
                        del buffer[:HEADER.size + size]
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                for key, _ in selector.select(remaining):
                    if key.data == "output":
                        self.drain_output()
                        continue
                    chunk = os.read(self.reply_fd, READ_CHUNK)
                    if not chunk:
                        return None
                    buffer += chunk

    def drain_output(self) -> int:
        """Read what the worker printed; return how many bytes (-1 at EOF)."""
        total = 0
        while True:
            try:
                chunk = os.read(self.output_fd, READ_CHUNK)
            except BlockingIOError:
                return total
            if not chunk:
                return total or -1
            total += len(chunk)
            self.output_tail = (self.output_tail + chunk)[-OUTPUT_TAIL_BYTES:]

    def describe_death(self, *, timed_out: bool = False) -> str:
        """Why the worker stopped, in a sentence, with the end of its output."""
        if timed_out:
            return "did not answer in time"
        assert self.process is not None
        try:
            code = self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return "closed its pipe but kept running"
        self.drain_output()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            cause = f"crashed with {name}"
        else:
            cause = f"exited with status {code}"
        tail = self.output_tail.decode("utf-8", "replace").strip().splitlines()[-3:]
        return cause + (": " + " | ".join(tail) if tail else "")

    def kill(self) -> None:
        """Kill the whole process group and release the pipes."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process = None
        for name in ("request_fd", "reply_fd", "output_fd", "lifeline_fd"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)

    def restart(self) -> LoadFailure | None:
        self.kill()
        self.restarts += 1
        return self.start()

    close = kill


def counting_worker(target: Target, limits: Limits, preload: Mapping[str, str]) -> Worker:
    """A worker whose calls can be counted in instructions (``runner.measure.count_calls``): it runs
    under Callgrind, so its time limits are the spec's scaled by Callgrind's slowdown, and its
    address space the spec's plus Valgrind's own (see ``runner.instructions``)."""
    memory = limits.memory_bytes + instructions.VALGRIND_ADDRESS_SPACE if limits.memory_bytes > 0 else 0
    scaled = replace(limits, timeout_s=limits.timeout_s * instructions.SLOWDOWN, memory_bytes=memory,
                     load_timeout_s=limits.load_timeout_s * instructions.LOAD_SLOWDOWN)
    return Worker(target, scaled, preload, dumps=instructions.dump_folder())


class _ProtocolBroken(Exception):
    """The worker sent bytes that are not a frame of outcomes."""


@dataclass
class _Job:
    worker: Worker
    cases: Sequence[bytes]
    repeat: int
    results: list[tuple[bytes, ...]] = field(default_factory=list)
    deadline: float = 0.0
    printed: int = 0
    strict: bool = False  # one frame per case: set while finding which case failed
    arguments: bool = True  # send the arguments back after each call (mutation check)
    stop_after_fatal: bool = False  # leave the rest of the batch after a crash, hang, flood or OOM

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.cases)


def run_cases(
    batches: Sequence[tuple[Worker, Sequence[bytes], int]], *, arguments: bool = True,
    stop_after_fatal: bool = False,
) -> list[list[tuple[bytes, ...]]]:
    """Run each worker's cases, all workers at once; outcomes per case, in order.

    A batch is ``(worker, pickled (args, kwargs) cases, repeat)``; each case's
    result is a tuple of ``repeat`` outcomes (marshal bytes). A case that
    kills, hangs or floods its worker gets a crash, timeout or flood outcome
    for each repeat, and a fresh worker takes the rest; with
    ``stop_after_fatal``, that batch ends there instead (its result list is
    then shorter than its cases), so a candidate that hangs on most inputs
    costs one timeout, not one per input.
    """
    jobs = [_Job(worker, cases, repeat, arguments=arguments, stop_after_fatal=stop_after_fatal)
            for worker, cases, repeat in batches if cases]
    for job in jobs:
        _submit(job)
    with selectors.DefaultSelector() as selector:
        for job in jobs:
            _register(selector, job)
        while not all(job.done for job in jobs):
            pending = [job for job in jobs if not job.done]
            wait = max(0.0, min(job.deadline for job in pending) - time.monotonic())
            for key, _ in selector.select(wait):
                job, stream = key.data
                if job.done:
                    continue
                if stream == "output":
                    printed = job.worker.drain_output()
                    job.printed += max(printed, 0)
                    if job.printed > job.worker.limits.output_bytes:
                        _fail_case(selector, job, flood_outcome(job.printed))
                    continue
                chunk = os.read(job.worker.reply_fd, READ_CHUNK)
                if not chunk:
                    _fail_case(selector, job, crash_outcome(job.worker.describe_death()))
                    continue
                job.worker.buffer += chunk
                try:
                    if _take_frames(job):
                        # The worker stops itself after a MemoryError: replace it.
                        _end_if_stopping(job)
                        _replace_worker(selector, job)
                except _ProtocolBroken:
                    _fail_case(selector, job, crash_outcome("wrote garbage on signoff's pipe"))
            now = time.monotonic()
            for job in pending:
                if not job.done and now > job.deadline:
                    _fail_case(selector, job, timeout_outcome(job.worker.limits.timeout_s))
    return [job.results for job in jobs]


def _submit(job: _Job) -> None:
    remaining = list(job.cases[len(job.results):])
    job.worker.buffer.clear()
    job.printed = 0
    job.deadline = time.monotonic() + job.worker.limits.timeout_s * job.repeat
    if not job.worker.send(("call", remaining, job.repeat, job.strict, job.arguments)):
        # The worker died between batches; the first case pays for it.
        job.deadline = 0.0


def _register(selector: selectors.BaseSelector, job: _Job) -> None:
    selector.register(job.worker.reply_fd, selectors.EVENT_READ, (job, "reply"))
    selector.register(job.worker.output_fd, selectors.EVENT_READ, (job, "output"))


def _take_frames(job: _Job) -> bool:
    """Move complete frames from the buffer to the results; True after a memory outcome."""
    while len(job.worker.buffer) >= HEADER.size:
        (size,) = HEADER.unpack_from(job.worker.buffer)
        end = HEADER.size + size
        if len(job.worker.buffer) < end:
            return False
        try:
            frame = marshal.loads(bytes(job.worker.buffer[HEADER.size:end]))
        except (ValueError, EOFError, TypeError):
            frame = None
        del job.worker.buffer[:end]
        if not isinstance(frame, tuple) or not all(isinstance(o, bytes) for o in frame):
            raise _ProtocolBroken
        job.results.append(frame)
        job.printed = 0
        job.deadline = time.monotonic() + job.worker.limits.timeout_s * job.repeat
        if worker_main.MEMORY_OUTCOME in frame:
            return True
    return False


def _fail_case(selector: selectors.BaseSelector, job: _Job, outcome: bytes) -> None:
    """Give the failing case ``outcome``, replace the worker, resubmit the rest.

    Outside strict mode, finished cases may still sit in the dead worker's
    buffer, so the failing one is not known: run the rest again case by case,
    and the first one that fails again gets the outcome.
    """
    if not job.strict and len(job.cases) - len(job.results) > 1:
        job.strict = True
    else:
        job.results.append((outcome,) * job.repeat)
        job.strict = False
        _end_if_stopping(job)
    _replace_worker(selector, job)


def _end_if_stopping(job: _Job) -> None:
    if job.stop_after_fatal:
        job.cases = job.cases[:len(job.results)]


def _replace_worker(selector: selectors.BaseSelector, job: _Job) -> None:
    selector.unregister(job.worker.reply_fd)
    selector.unregister(job.worker.output_fd)
    failure = job.worker.restart()
    if failure is not None:
        lost = crash_outcome(f"could not restart the worker: {failure.detail}")
        job.results.extend([(lost,) * job.repeat] * (len(job.cases) - len(job.results)))
        return
    if not job.done:
        _submit(job)
        _register(selector, job)
