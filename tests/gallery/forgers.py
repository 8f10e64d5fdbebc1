"""Hostile: candidates that write on signoff's reply pipe, which their worker holds (issue 14).

The worker is started as ``worker_main.py REQUEST REPLY MEMORY LIFELINE``, so code in it finds
the reply pipe in ``sys.argv[2]``. Each function writes one kind of frame that no worker sends,
then answers correctly: only the frame can fail it.
"""

import marshal
import os
import struct
import sys


def _send(payload):
    os.write(int(sys.argv[2]), struct.pack(">I", len(payload)) + payload)


def garbage(xs):
    """A frame that is not marshal data at all."""
    _send(b"\xff\xfe not marshal")
    return sorted(xs)


def malformed_outcomes(xs):
    """A frame of outcomes that are too short to be outcomes (once crashed signoff: IndexError)."""
    _send(marshal.dumps((marshal.dumps(("ok",), 2),) * 2, 2))
    return sorted(xs)


def extra_field(xs):
    """A timing reply with a field too many (once hung signoff until it was killed)."""
    _send(marshal.dumps(("timed", 1e-9, "extra"), 2))
    return sorted(xs)


def tiny_time(xs):
    """A well-formed timing reply claiming no time at all, sent before the work is done."""
    _send(marshal.dumps(("timed", 1e-9), 2))
    return sorted(xs)


def nan_time(xs):
    """A timing reply whose time is not a number."""
    _send(marshal.dumps(("timed", float("nan")), 2))
    return sorted(xs)


def answers_twice(xs):
    """A well-formed frame of one outcome (the right answer) on top of the worker's own: one frame
    more than there were cases."""
    _send(marshal.dumps((marshal.dumps(("ok", sorted(xs), None, None), 2),), 2))
    return sorted(xs)


def huge_header(xs):
    """A header claiming a frame of almost 4 GB (signoff once buffered whatever followed)."""
    os.write(int(sys.argv[2]), struct.pack(">I", 0xFFFFFFF0) + b"\0" * 65536)
    return sorted(xs)
