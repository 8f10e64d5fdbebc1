"""What isolates a worker beyond its process: no network, and the run's record saying so (issue 14)."""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.outcomes import Outcome
from signoff.runner.batches import run_cases
from signoff.runner.process import Limits, Worker
from signoff.targets import parse_target

GALLERY = Path(__file__).parent / "gallery"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}


@pytest.fixture
def service() -> Iterator[int]:
    """A TCP service on 127.0.0.1 that says "secret" to whoever connects; its port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"secret")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize("name", ["fetch", "fetch_from_signoffs_namespace"])
def test_a_worker_cannot_reach_a_service_that_signoff_itself_can(service, name):
    with socket.create_connection(("127.0.0.1", service), timeout=5) as connection:
        assert connection.recv(64) == b"secret"  # the service is there, for this process
    worker = Worker(parse_target(f"{GALLERY / 'phones_home.py'}:{name}"), Limits(timeout_s=20.0))
    assert worker.start() is None
    try:
        [[(outcome,)]] = run_cases([(worker, [pickle.dumps(((service,), {}))], 1)])
    finally:
        worker.close()
    if not worker.sandbox.startswith("netns"):
        assert os.geteuid() != 0, "as root, a worker always gets a network namespace"
        pytest.skip("this kernel refuses unprivileged network namespaces")
    if name == "fetch_from_signoffs_namespace" and worker.sandbox != "netns+userns":
        pytest.skip("no user namespaces here: a root worker can leave its network namespace")
    assert Outcome.from_bytes(outcome).detail[0].startswith("offline"), Outcome.from_bytes(outcome)


def test_the_run_records_and_shows_what_isolated_its_workers(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "signoff", "check", "--reference", f"{GALLERY / 'sorting.py'}:sort",
         "--candidate", f"{GALLERY / 'sorting.py'}:sort", "--examples", "5", "--no-store",
         "--json", str(tmp_path / "report.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=ENV)
    assert run.returncode == 0, run.stdout + run.stderr
    sandbox = json.loads((tmp_path / "report.json").read_text())["environment"]["sandbox"]
    assert sandbox.startswith("rlimits+process group+watchdog")
    assert sandbox.endswith("+netns") or "(no " in sandbox
    assert f"sandbox {sandbox}" in " ".join(run.stdout.split())  # the footer may wrap
