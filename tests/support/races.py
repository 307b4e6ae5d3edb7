"""Helpers for the replay/race and fault tests: getting to a code or a link, counting what changed,
breaking the database on cue, and the worker each racing process runs."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from app import Core, build_core, create_app
from core.storage.models import AuditEvent, PasswordHistory
from core.types import CheckStatus, Method, Requester
from tests.core.conftest import last_outbox_code
from tests.support import FakeClock, make_settings

__all__ = [
    "NEW_PASSWORD",
    "audit_count",
    "database_fails",
    "gate_races",
    "history_size",
    "open_code",
    "race_in_process",
    "reset_token",
    "run_processes",
    "token_of",
    "web_app",
]

NEW_PASSWORD = "correct horse battery staple 42"


def web_app(core: Core) -> Flask:
    """The whole Flask app on `core`, ready for test clients."""
    app = create_app(core=core)
    app.testing = True
    return app


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def open_code(core: Core, user: str = "visitor-1") -> tuple[str, str]:
    """A recovery for E1001 with an email code sent: (handle, code)."""
    handle = core.recovery.start("E1001", Requester("web", user))
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    return handle, last_outbox_code(core)


def reset_token(core: Core) -> str:
    """A fresh reset-link token for E1001, after verifying by email."""
    handle, code = open_code(core)
    assert core.recovery.verify_code(handle, code).status is CheckStatus.VERIFIED
    return token_of(core.recovery.issue_reset_link(handle).url)


def history_size(core: Core, account_id: int) -> int:
    """How many earlier passwords are kept: grows by one for each password actually set."""
    with core.database.transaction() as session:
        return session.scalar(select(func.count()).where(PasswordHistory.account_id == account_id)) or 0


def audit_count(core: Core, kind: str) -> int:
    with core.database.transaction() as session:
        return session.scalar(select(func.count()).where(AuditEvent.event == kind)) or 0


@contextmanager
def database_fails(core: Core, pattern: str, times: int | None = 1) -> Iterator[list[str]]:
    """Statements of `core`'s engine matching `pattern` (a regex on the SQL) fail as if the connection to the
    database was lost, `times` times (None: until the block ends). Yields the statements that were failed."""
    matcher = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    failed: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if matcher.search(statement) and (times is None or len(failed) < times):
            failed.append(statement)
            raise OperationalError(statement, None, ConnectionError("server closed the connection unexpectedly"))

    engine = core.database.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", before)


# -- forcing the interleaving ---------------------------------------------------------------------------------


class _GatedHasher:
    """The code book's keyed hasher, holding each check between reading the code and marking it used."""

    def __init__(self, inner: Any, gate: Any) -> None:
        self._inner = inner
        self._gate = gate

    def matches(self, *args: Any, **kwargs: Any) -> bool:
        result = bool(self._inner.matches(*args, **kwargs))
        self._gate.wait(timeout=60)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def gate_races(core: Core, gate: Any) -> None:
    """Make every racer read before any of them writes: each code check waits at `gate` after finding the code
    (before its conditional UPDATE), and each reset waits at `gate` after finding the link valid for the
    last time (before consuming it). Without the atomic UPDATEs every racer would then win."""
    codes = core.recovery._codes  # a test hook into the service's parts
    codes._keyed = _GatedHasher(codes._keyed, gate)  # type: ignore[assignment]
    links = core.recovery._links
    consume = links.consume

    def gated_consume(session: Any, row: Any, now: datetime) -> bool:
        gate.wait(timeout=60)
        return consume(session, row, now)

    links.consume = gated_consume  # type: ignore[method-assign]


# -- several processes ------------------------------------------------------------------------------------------


def race_in_process(
    url: str,
    start: datetime,
    handle: str,
    code: str,
    token: str,
    password: str,
    barrier: Any,
    results: Any,
) -> None:
    """One racing worker: its own core on the shared database; on the barrier's word, use the code, then the link."""
    core = build_core(make_settings(database_url=url), clock=FakeClock(start), migrate=False)
    gate_races(core, barrier)
    try:
        barrier.wait(timeout=60)
        checked = core.recovery.verify_code(handle, code).status.value
        barrier.wait(timeout=60)
        reset = core.recovery.complete_reset(token, password, password).status.value
        results.put((password, checked, reset))
    except BaseException as exc:  # reported to the test rather than lost in a child's stderr
        results.put((password, f"error: {type(exc).__name__}: {exc}", ""))
        raise
    finally:
        core.database.dispose()


def run_processes(
    url: str, start: datetime, handle: str, code: str, token: str, passwords: list[str]
) -> list[tuple[str, str, str]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(passwords))
    results = ctx.Queue()
    workers = [
        ctx.Process(target=race_in_process, args=(url, start, handle, code, token, password, barrier, results))
        for password in passwords
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=90) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        results.close()
        results.join_thread()
    return outcomes
