"""Stopping the servers a test started in their own process group (gunicorn and its workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.web_client import WebClient

__all__ = ["stop_process_group", "wait_until_ready"]


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group (so every log line is flushed), SIGKILL if it lingers, then any leftover member:
    workers outliving the arbiter would hold database connections."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 60) -> None:
    """Until the server at `url` answers /readyz with 200; fail with the log's tail if it exits or never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if WebClient(url, timeout=5).request("GET", "/readyz").status == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /readyz within {seconds:.0f} s:\n{log.read_text()[-3000:]}")
