"""Instruction counts under Valgrind's Callgrind: the tools, the helper, the command, the dumps.

A counting worker is the ordinary worker (``worker_main.py``) started under
``valgrind --tool=callgrind`` with collection and instrumentation off at
start, so importing the target costs little. Around the counted calls the
worker calls a tiny C helper (``HELPER_SOURCE``, built here once per process
with gcc) whose Callgrind client requests zero the counters, collect, and
dump the totals to a file; the parent reads that file (``take_dumps``), so
the number never travels through the candidate's own reply. Callgrind names
the dumps ``<out file>.<n>``, n counting from 1 per process, and writes a
last one to ``<out file>`` itself when the process exits.

Counting trusts the candidate not to issue Callgrind client requests itself
(it could stop collection with ctypes); a dump it adds shows as an
unexpected count of dumps (``runner.measure.count_calls``).
"""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from signoff.errors import SpecError

# A call under Callgrind takes this many times its time without: measured in CPU seconds, 31x for
# sorted() of 200,000 floats, 57x for a sum over a dict of 200,000 and 85x for a pure-Python loop
# of 300,000 (CPython 3.11, Valgrind 3.19). A counting worker's per-call time limit is the spec's
# times this, so that a call the spec allows is not cut short by the counting.
SLOWDOWN = 100.0
# Loading a target with instrumentation off (Valgrind only translates) is slower by about this
# much: a bare interpreter starts in 0.03 s natively and in 1.9 s under Valgrind, one importing
# numpy in 0.3 s and 4.5 s (2 loaded cores). A counting worker's load time limit is the spec's
# times this.
LOAD_SLOWDOWN = 20.0
# The worker's address-space limit (RLIMIT_AS) also covers Valgrind's own mappings in the same
# process: about 80 MB at start and 110 MB after importing numpy and sorting 200,000 floats. A
# counting worker gets its spec's limit plus this, so the limit still binds the candidate (an
# allocation over it raises MemoryError, checked by a test) at about the size the spec set.
VALGRIND_ADDRESS_SPACE = 512 << 20

# A counting worker's environment: allocators whose instructions do not depend on the process's
# history. CPython's own allocator (pymalloc) takes more or fewer instructions per allocation
# with the state of its pools: summing 1,000 ints counted 5% more in a worker's first count than
# in its second, and 1.3% apart in workers with different histories; the C library's malloc
# keeps them within 0.1%. Blocks of 4 KiB or more are mapped on their own where the heap must
# grow for them (``COMMAND_OPTIONS`` leaves out realloc, the part that still moves with history).
ENVIRONMENT = {"PYTHONMALLOC": "malloc", "MALLOC_MMAP_THRESHOLD_": "4096"}
# Callgrind's options, the counting left out of realloc and whatever it calls. Whether realloc
# grows a block in place or copies it depends on what the heap held before, not on the code
# counted: a list built from 4,000 lookups counted 1,729k to 1,782k instructions per call in
# counts of one worker, 3% apart (the copies, in memcpy under _int_realloc), whatever the mmap
# threshold, trim threshold or top pad. Left out, 0.3% apart for a worker's first count and
# 0.006% for the rest. malloc and free stay counted: they move by less than 0.1%. The price:
# code whose cost is copying through realloc (a buffer grown again and again) counts less than
# it costs; time (the default measure) still charges it.
COMMAND_OPTIONS = ("-q", "--tool=callgrind", "--collect-atstart=no", "--instr-atstart=no",
                   "--dump-line=no", "--toggle-collect=realloc")

HELPER_SOURCE = """\
#include <valgrind/callgrind.h>
static int instrumented = 0, collecting = 0;
void signoff_count_begin(void) {
    if (!instrumented) { CALLGRIND_START_INSTRUMENTATION; instrumented = 1; }
    if (collecting) { CALLGRIND_TOGGLE_COLLECT; }
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    collecting = 1;
}
void signoff_count_end(void) {
    if (collecting) { CALLGRIND_TOGGLE_COLLECT; collecting = 0; }
    CALLGRIND_DUMP_STATS;
}
"""
_TOTALS = re.compile(rb"^(?:totals|summary):\s*(\d+)", re.MULTILINE)
_helper: Path | None = None
_folder: Path | None = None


def missing(tool: str) -> str:
    """The message for a tool that counting needs and this machine lacks."""
    what = {"valgrind": "Valgrind", "gcc": "a C compiler (gcc) for its Callgrind helper"}[tool]
    return (f"measure='instructions' needs {what}: install the Debian package {tool} "
            f"(apt-get install {tool})")


def valgrind() -> str:
    """Valgrind's path; SpecError naming the package when it is not installed."""
    path = shutil.which("valgrind")
    if path is None:
        raise SpecError(missing("valgrind"))
    return path


def require() -> Path:
    """Check that counting can run here (Valgrind, gcc, Callgrind's header) and build the helper
    once per process; its path. A SpecError says what to install."""
    global _helper
    valgrind()
    if _helper is not None:
        return _helper
    gcc = shutil.which("gcc")
    if gcc is None:
        raise SpecError(missing("gcc"))
    folder = _session_folder()
    source, library = folder / "signoff_count.c", folder / "signoff_count.so"
    source.write_text(HELPER_SOURCE)
    built = subprocess.run([gcc, "-O2", "-shared", "-fPIC", "-o", str(library), str(source)],
                           capture_output=True, text=True, timeout=120)
    if built.returncode != 0:
        detail = built.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise SpecError(f"measure='instructions' could not build its Callgrind helper with gcc: "
                        f"{detail[0]} (Callgrind's header comes with the Debian package valgrind)")
    _helper = library
    return library


def dump_folder() -> Path:
    """A new empty folder for one counting worker's dumps (removed with the session's folder)."""
    return Path(tempfile.mkdtemp(prefix="dumps-", dir=_session_folder()))


def command(dumps: Path) -> list[str]:
    """The command prefix that runs a worker under Callgrind, dumping into ``dumps``."""
    return [valgrind(), *COMMAND_OPTIONS, f"--callgrind-out-file={dumps}/cg.%p"]


def take_dumps(dumps: Path, pid: int) -> list[int]:
    """The instruction totals of process ``pid``'s numbered dumps, in order; the files removed."""
    found = []
    for path in dumps.glob(f"cg.{pid}.*"):
        number = path.name.rsplit(".", 1)[1]
        if number.isdigit():
            found.append((int(number), path))
    totals = []
    for _number, path in sorted(found):
        totals.append(parse_total(path.read_bytes()))
        path.unlink()
    return totals


def clear(dumps: Path) -> None:
    """Remove every dump in ``dumps`` (a worker's left by its killed predecessor)."""
    for path in dumps.glob("cg.*"):
        path.unlink(missing_ok=True)


def parse_total(dump: bytes) -> int:
    """The instructions (Ir) a Callgrind dump counted: its ``totals:`` (or ``summary:``) line."""
    match = _TOTALS.search(dump)
    if match is None:
        raise ValueError("no totals line in the Callgrind dump")
    return int(match.group(1))


def _session_folder() -> Path:
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix="signoff-callgrind-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder
