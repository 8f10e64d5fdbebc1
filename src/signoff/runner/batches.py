"""Running cases on workers in batches: all workers at once, one bad case never the rest's.

Each worker gets its cases in one request and streams back a frame per case, under a per-case
deadline. When a case crashes, hangs, floods its output or runs out of memory, the worker is
killed as a group, the case gets that outcome, and a fresh worker carries on with the remaining
cases. A frame that is not a worker's (``worker_main.PROTOCOL_BROKEN``) fails the case it came
with, or the batch's last case when it is one frame too many.
"""

from __future__ import annotations

import marshal
import os
import select
import selectors
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from signoff.runner import worker_main
from signoff.runner.process import HEADER, MARSHAL_VERSION, READ_CHUNK, Worker


def crash_outcome(text: str) -> bytes:
    return marshal.dumps(("crash", text), MARSHAL_VERSION)


def timeout_outcome(seconds: float) -> bytes:
    return marshal.dumps(("timeout", seconds), MARSHAL_VERSION)


def flood_outcome(size: int) -> bytes:
    return marshal.dumps(("flood", size), MARSHAL_VERSION)


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
        return len(self.results) >= len(self.cases)


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
        if job.worker.process is None:  # its last restart failed (or was refused): once more
            _restart(job)
        elif _wrote_after_its_batch(job.worker):
            # Frames a worker sends after its last batch was complete are not the worker's: the
            # target's code wrote them, so that batch's results were not all its own either.
            job.results.append((crash_outcome(worker_main.PROTOCOL_BROKEN),) * job.repeat)
            _restart(job)
        if not job.done:
            _submit(job)
    with selectors.DefaultSelector() as selector:
        for job in jobs:
            if not job.done:
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
                    if job.done:  # a frame more than there were cases: the last one pays
                        job.results[-1] = (crash_outcome(worker_main.PROTOCOL_BROKEN),) * job.repeat
                        _replace_worker(selector, job)
                    else:
                        _fail_case(selector, job, crash_outcome(worker_main.PROTOCOL_BROKEN))
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
        if size > job.worker.max_frame_bytes:
            raise _ProtocolBroken  # before buffering it: the header could claim 4 GB
        end = HEADER.size + size
        if len(job.worker.buffer) < end:
            return False
        try:
            frame = marshal.loads(bytes(job.worker.buffer[HEADER.size:end]))
        except (ValueError, EOFError, TypeError):
            frame = None
        del job.worker.buffer[:end]
        if (type(frame) is not tuple or len(frame) != job.repeat or not all(type(o) is bytes for o in frame)
                or job.done):  # one tuple of ``repeat`` outcomes per case sent, no more
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
    _restart(job)
    if not job.done:
        _submit(job)
        _register(selector, job)


def _restart(job: _Job) -> None:
    """A fresh worker for the job; when none starts, every case left gets the reason."""
    failure = job.worker.restart()
    if failure is not None:
        lost = crash_outcome(f"could not restart the worker: {failure.detail}")
        job.results.extend([(lost,) * job.repeat] * (len(job.cases) - len(job.results)))


def _wrote_after_its_batch(worker: Worker) -> bool:
    """Whether bytes wait for the parent before a request, read or not: an honest worker writes
    nothing after its last reply. (End of file is not: a worker that died between batches is found
    when the batch is sent.)"""
    if worker.buffer:
        return True
    waiting = select.poll()
    waiting.register(worker.reply_fd, select.POLLIN)
    if not any(events & select.POLLIN for _, events in waiting.poll(0)):
        return False
    return bool(os.read(worker.reply_fd, READ_CHUNK))
