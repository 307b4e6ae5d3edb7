"""What the channel-forgery tests share (tests/security/test_slack_forgery.py, test_telegram_forgery.py): row
counts, and the same request sent from many threads at once."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app import Core


def rows(core: Core, model: Any) -> int:
    with core.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def concurrently(app: Flask, count: int, send: Any) -> list[int]:
    """`send(client)` from `count` threads released together; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def worker() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(send(client).status_code)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses
