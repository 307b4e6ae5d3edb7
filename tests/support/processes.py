"""Stopping the servers a test started in their own process group (gunicorn and its workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

__all__ = ["stop_process_group"]


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
