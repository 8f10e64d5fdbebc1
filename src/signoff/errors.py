"""Exceptions raised by signoff.

One root, so a caller can catch everything signoff raises on purpose::

    SignoffError
    ├── SpecError (also ValueError)      the spec or the command line is wrong: exit 2
    │   └── TargetError                  a target cannot be parsed, found or loaded
    └── WorkerError (also RuntimeError)  a worker process broke the protocol

A candidate that crashes, hangs or raises is never an exception here: it is a
failing verdict with its cause. These exceptions are for the user's mistakes
and for signoff's own faults; each message says what was wrong, where, and
what to do.
"""

from __future__ import annotations


class SignoffError(Exception):
    """Root of every exception signoff raises on purpose."""


class SpecError(SignoffError, ValueError):
    """The spec, a spec file or a command-line argument is wrong."""


class TargetError(SpecError):
    """A target (``pkg.mod:func`` or ``path/to/file.py:func``) cannot be used."""


class WorkerError(SignoffError, RuntimeError):
    """A worker process sent something that does not follow the protocol."""
