"""Worker processes as the parent sees them: start, send, read a checked reply, kill.

Each worker is a fresh interpreter in its own session (process group), with
an address-space limit and its stdout and stderr drained and counted by the
parent; it is never restarted on a target file that changed since it first
started. Running cases on workers in batches is ``runner.batches``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
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

    kind: str  # "not_found" (a usage error), "import_failed", "crashed", "timeout", "changed"
    detail: str

    @property
    def summary(self) -> str:
        """What went wrong, in a line: the cause and the detail's last line (for an import that
        raised, the error with its file and line: ``worker_main.import_error_line``)."""
        cause = {"import_failed": "failed to import", "crashed": "crashed while importing",
                 "timeout": "did not finish importing in time",
                 "not_found": "was not found", "changed": "was not restarted"}.get(self.kind, self.kind)
        lines = self.detail.strip().splitlines()
        return f"{cause}: {lines[-1].strip()}" if lines else cause


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
    # The target file's SHA-256 when the worker first started: a restart never loads a file that
    # changed since (a candidate rewriting the reference, then killing its worker).
    fingerprint: str | None = None
    refused: LoadFailure | None = None  # set when a restart was refused because the file changed
    sandbox: str = ""  # what the worker got beyond rlimits (``worker_main.leave_the_network``)

    def _digest(self) -> str | None:
        """The SHA-256 of the target's file now; None for a target named as a module."""
        if self.target.path is None:
            return None
        try:
            return hashlib.sha256(Path(self.target.path).read_bytes()).hexdigest()
        except OSError as error:
            return f"unreadable: {error.strerror}"

    def file_changed(self) -> bool:
        """Whether the target's file now differs from what the worker first started on."""
        return self.fingerprint is not None and self._digest() != self.fingerprint

    def start(self) -> LoadFailure | None:
        """Start the process and load the target; None when it is ready."""
        if self.fingerprint is None:
            self.fingerprint = self._digest()
        elif self.file_changed():
            self.refused = LoadFailure("changed", f"{self.target.path} changed during the run; a worker is "
                                                  "never restarted on other content than it first started on")
            return self.refused
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
        message = parse_reply(reply)
        if message is not None and message[0] == "ready":
            self.sandbox = message[1]
            _SANDBOXES.add(message[1])
            return None
        self.kill()
        if message is None or message[0] != "load_error":
            return LoadFailure("crashed", worker_main.PROTOCOL_BROKEN)
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

    @property
    def max_frame_bytes(self) -> int:
        """The largest frame the worker can honestly send: its memory limit (a gigabyte without
        one). A larger header is the target's doing, and would have signoff buffer without end."""
        return self.limits.memory_bytes or 1 << 30

    def read_frame(self, deadline: float) -> bytes | None:
        """One frame, draining output meanwhile; None on EOF or deadline (or with no process);
        ``b""``, which is no reply, for a header larger than ``max_frame_bytes``."""
        if self.process is None:
            return None
        buffer = self.buffer
        with selectors.DefaultSelector() as selector:
            selector.register(self.reply_fd, selectors.EVENT_READ, "reply")
            selector.register(self.output_fd, selectors.EVENT_READ, "output")
            while True:
                if len(buffer) >= HEADER.size:
                    (size,) = HEADER.unpack_from(buffer)
                    if size > self.max_frame_bytes:
                        return b""
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
        if self.process is None:
            return "is not running: " + (self.refused.detail if self.refused else "it could not be restarted")
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


# What the workers started in this process got (``Worker.sandbox``): a machine's kernel grants it
# to all or to none, and the run's record says which (``sandbox_words``).
_SANDBOXES: set[str] = set()


def sandbox_words() -> str | None:
    """The protections of the workers started so far, for the run's record; None before any."""
    if not _SANDBOXES:
        return None
    base = "rlimits+process group+watchdog"
    if _SANDBOXES == {"netns+userns"}:
        return f"{base}+netns"
    if _SANDBOXES <= {"netns", "netns+userns"}:
        return f"{base}+netns (no user namespace: a root candidate could leave it)"
    return f"{base} (no netns: refused by the kernel, or {worker_main.ALLOW_NETWORK_ENV}=1)"


# Every reply a worker sends to a request other than "call", by its first field: the types of the
# fields after it (``worker_main``'s ``main``, ``time_batch``, ``count_calls``, ``peak_memory``).
REPLIES: dict[str, tuple[type, ...]] = {
    "ready": (str,), "load_error": (str, str), "begin": (), "timed": (float,), "counted": (),
    "memory_peak": (int, int, str), "raise": (str, str), "memory": (),
}


def parse_reply(frame: bytes) -> tuple[Any, ...] | None:
    """A worker's reply, or None when the frame is not one of REPLIES: the target's code wrote on
    the reply pipe or crafted a reply (the caller fails the worker: ``PROTOCOL_BROKEN``)."""
    try:
        message = marshal.loads(frame)
    except (ValueError, EOFError, TypeError):
        return None
    if type(message) is not tuple or not message or type(message[0]) is not str:
        return None
    fields = REPLIES.get(message[0])
    if fields is None or len(message) != 1 + len(fields):
        return None
    if not all(type(value) is kind for value, kind in zip(message[1:], fields, strict=True)):
        return None
    return message


def counting_worker(target: Target, limits: Limits, preload: Mapping[str, str]) -> Worker:
    """A worker whose calls can be counted in instructions (``runner.measure.count_calls``): it runs
    under Callgrind, so its time limits are the spec's scaled by Callgrind's slowdown, and its
    address space the spec's plus Valgrind's own (see ``runner.instructions``)."""
    memory = limits.memory_bytes + instructions.VALGRIND_ADDRESS_SPACE if limits.memory_bytes > 0 else 0
    scaled = replace(limits, timeout_s=limits.timeout_s * instructions.SLOWDOWN, memory_bytes=memory,
                     load_timeout_s=limits.load_timeout_s * instructions.LOAD_SLOWDOWN)
    return Worker(target, scaled, preload, dumps=instructions.dump_folder())
