"""The ``signoff`` command line: the only package, with ``signoff.report``, that writes to the terminal."""

from signoff.cli.main import main

__all__ = ["main"]
