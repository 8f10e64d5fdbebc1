"""Hostile: writes a frame on signoff's reply pipe while it is imported, before the worker says ready."""

import os
import struct
import sys

os.write(int(sys.argv[2]), struct.pack(">I", 5) + b"ready")


def sort(xs):
    return sorted(xs)
