"""Shared pieces of the web benchmarks: settings, bulk-loaded employees, pre-created chat sessions, the
scripted web conversation, reading a sent code back from the outbox, and counting SQL statements."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from app import Core, build_core, build_delivery_worker, build_engine
from channels.web.history import CHANNEL, ChatHistory
from core.delivery.worker import DeliveryWorker
from core.settings import Settings
from core.storage.models import Account, OutboxMessage

__all__ = [
    "WEB_SCRIPT",
    "add_accounts",
    "bench_settings",
    "close_core",
    "core_for",
    "employee_id",
    "latest_code",
    "percentile",
    "precreate_sessions",
    "summary_us",
    "web_text",
]

# The web conversation after the session is created: "reset", the employee ID, "email", the code, a follow-up.
WEB_SCRIPT: tuple[str, ...] = ("reset", "{employee_id}", "email", "{code}", "thanks, I'll check my inbox")
_CODE = re.compile(r"\b(\d{6,10})\b")


def bench_settings(database_url: str, **overrides: Any) -> Settings:
    """Production-like settings (default OWASP argon2 cost, no `.env`): the chat path never hashes with argon2."""
    from pydantic import SecretStr

    key = SecretStr("bench-secret-key-not-for-production")
    return Settings(_env_file=None, secret_key=key, database_url=database_url, **overrides)  # type: ignore[call-arg]


def employee_id(number: int) -> str:
    return f"E{number:07d}"


def add_accounts(core: Core, count: int, first: int = 0, batch: int = 10_000) -> None:
    """Bulk-insert employees (Core executemany): email and phone on file, no password, no answers."""
    now = datetime(2026, 1, 5, 8, 0, 0)
    with core.database.engine.begin() as connection:
        for start in range(first, first + count, batch):
            rows = []
            for number in range(start, min(first + count, start + batch)):
                eid = employee_id(number)
                rows.append(
                    {
                        "employee_id": eid,
                        "employee_id_key": eid.casefold(),
                        "username": f"user{number}",
                        "username_key": f"user{number}",
                        "full_name": "Bench Example",
                        "email": f"{eid.casefold()}@example.com",
                        "phone": "+15555550101",
                        "locked": False,
                        "failed_sign_ins": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            connection.execute(insert(Account), rows)


def precreate_sessions(core: Core, count: int) -> list[str]:
    """What POST /api/chat/sessions does (greeting and history), without its per-address limit.
    Returns the session tokens (sent as Bearer headers); the conversations are keyed by their keyed hash."""
    import secrets

    from core.secrets.pseudonyms import Pseudonyms

    assert core.settings.secret_key is not None
    pseudonyms = Pseudonyms(core.settings.secret_key.get_secret_value().encode())
    engine = build_engine(core)
    history = ChatHistory(core.database, core.clock, CHANNEL)
    sessions = []
    for _ in range(count):
        token = secrets.token_urlsafe(32)
        key = pseudonyms.chat_key(token)
        history.record(key, person_text=None, replies=engine.open(CHANNEL, key))
        sessions.append(token)
    return sessions


def latest_code(database_engine: Engine, number: int) -> str:
    """The newest code emailed to employee `number` (outbox delivery)."""
    recipient = f"{employee_id(number).casefold()}@example.com"
    deadline = time.monotonic() + 15  # codes are queued; a delivery worker thread sends them within moments
    while True:
        with database_engine.connect() as connection:
            body = connection.execute(
                select(OutboxMessage.body)
                .where(OutboxMessage.kind == "email", OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            ).scalar()
        match = _CODE.search(body or "")
        if match is not None:
            return match.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError(f"no code in the outbox for {recipient}")
        time.sleep(0.01)


def web_text(turn: int, number: int, database_engine: Engine) -> str:
    template = WEB_SCRIPT[turn]
    if template == "{code}":
        return latest_code(database_engine, number)
    return template.format(employee_id=employee_id(number))


def percentile(ordered: Sequence[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summary_us(samples_ns: Sequence[int]) -> tuple[float, float]:
    """(median, p99) in µs."""
    ordered = sorted(samples_ns)
    return statistics.median(ordered) / 1000, percentile(ordered, 0.99) / 1000


_DELIVERING: dict[int, DeliveryWorker] = {}


def core_for(database_url: str, *, migrate: bool = True, **overrides: Any) -> Core:
    """A core whose queued codes are sent by a delivery worker thread, as `python app.py run` does (every
    gunicorn worker of a benchmark gets one too: this runs in each). Close it with `close_core`."""
    core = build_core(bench_settings(database_url, **overrides), migrate=migrate)
    worker = build_delivery_worker(core)
    worker.start()
    _DELIVERING[id(core)] = worker
    return core


def close_core(core: Core) -> None:
    """Stop the core's delivery worker, then its database connections (before its files are deleted)."""
    worker = _DELIVERING.pop(id(core), None)
    if worker is not None:
        worker.stop()
    core.database.dispose()
