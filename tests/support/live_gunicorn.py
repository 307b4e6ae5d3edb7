"""A real gunicorn (and the delivery worker beside it) that a test started: its address, logs, and the code
the worker sent. The fixtures that start it stay with their tests (each runs its own configuration)."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app import Core
from core.storage.models import OutboxMessage
from tests.support.processes import stop_process_group

__all__ = ["LiveGunicorn", "free_port"]


def free_port() -> int:
    """A port nobody listens on now (gunicorn cannot bind port 0 and tell us which it got)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveGunicorn:
    url: str
    core: Core
    logs: Path
    processes: list[subprocess.Popen[bytes]]  # gunicorn, and the delivery worker beside it (as in production)

    def stop(self) -> None:
        """Stop gunicorn (its process group) and the worker, so every log line is flushed."""
        for process in self.processes:
            stop_process_group(process)

    def sent_code(self) -> str:
        """The code in the newest outbox message, once the delivery worker process has sent it."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with self.core.database.transaction() as session:
                body = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
            if body is not None:
                return re.search(r"\b(\d{6,10})\b", body).group(1)  # type: ignore[union-attr]
            time.sleep(0.1)
        raise AssertionError("the delivery worker sent no code within 20 s")
