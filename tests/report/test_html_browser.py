"""The HTML report rendered by a real headless browser (Debian's chromium).

CI installs the browser with .ci/install-browser; a missing browser fails this
test rather than skipping it, so the report is never shipped unrendered.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from signoff.report.html import write_html
from signoff.verdict import CandidateResult, CheckResult, RunResult

HOSTILE = "</script><b id=injected>bold</b><script>document.title='pwned'</script>]]>"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.fail("chromium is not installed: run .ci/install-browser (as root) to install Debian's "
                    "chromium; CI runs it before the tests", pytrace=False)
    return found


def browse(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=120, check=False)


def with_hostile_candidate(run: RunResult) -> RunResult:
    evil = CandidateResult(HOSTILE, (CheckResult("same_results", "fail", HOSTILE,
                                                 {"input": HOSTILE, "replay": HOSTILE}),))
    return RunResult(run.reference, run.seed, (*run.candidates, evil), run.spec, run.duration_s)


@pytest.mark.slow
def test_browser_renders_the_report(run: RunResult, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    write_html(with_hostile_candidate(run), page)

    dumped = browse(tmp_path, "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert '<div class="verdict">FAIL</div>' in dom
    assert "<title>signoff FAIL: text:slugify</title>" in dom  # no script ran to change it
    assert dom.count('<svg class="plot"') == 6
    assert dom.count('<polyline class="curve"') >= 4  # fitted curves, estimates, thresholds
    assert '<g class="points"' in dom and '<rect class="band"' in dom and '<rect class="bar"' in dom
    assert 'id="injected"' not in dom and "&lt;b id=injected&gt;" in dom

    screenshot = tmp_path / "report.png"
    shot = browse(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2400", "--hide-scrollbars",
                  page.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2400)
    assert len(data) > 50_000  # a blank page is about 10 kB; this one has colour, text and plots
