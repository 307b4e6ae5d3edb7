# ruff: noqa: F811  (the `server` fixture is imported from tests/support/scale_out.py, then used as an argument)
"""Scale-out: 4 gunicorn workers on PostgreSQL serve 200 concurrent scripted web-chat conversations, and
2 `app.py worker` processes send their codes (each email exactly once).

Every conversation is the full self-service path through the public JSON API (new session, "reset", an
employee ID, "email", the code read from the outbox table, the reset link), all 200 at once on real
processes that share nothing but the database. The test then checks that nothing was lost or repeated
(every response has the expected reply; the history each session can fetch again holds each bot reply
exactly once) and that no code was accepted twice (each is tried again, through the chat and against
the recovery it was issued for, and refused).

Client addresses: the people are spread over 20 loopback source addresses (127.0.0.2-127.0.0.21; all of
127.0.0.0/8 reaches the server bound to 127.0.0.1), ten conversations each. Many people behind one address
are test_office_nat.py's subject; every request here stays well inside the limits, so any 429 is a failure.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from app import build_core
from core.secrets.pseudonyms import Pseudonyms
from core.storage.db import Database
from core.storage.models import AuditEvent, Conversation, OneTimeCode
from core.types import CheckStatus
from tests.support import make_settings
from tests.support.scale_out import (
    CONVERSATIONS,
    SECRET_KEY,
    WORKERS,
    Person,
    Server,
    _gunicorn_missing,
    server,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.slow


# -- the test ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(_gunicorn_missing(), reason="gunicorn is not installed (pip install -r requirements.txt)")
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # several processes need PostgreSQL
def test_four_gunicorn_workers_serve_200_concurrent_conversations_without_loss_or_reuse(
    server: Server, database: Database, record_property: Any
) -> None:
    start = threading.Barrier(CONVERSATIONS)
    people = [Person(n, server.port, database, start) for n in range(CONVERSATIONS)]
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        outcomes = list(pool.map(Person.run, people))
    elapsed = time.monotonic() - began

    failed = [o for o in outcomes if o.problems]
    completed = len(outcomes) - len(failed)
    record_property("conversations_completed", completed)
    record_property("seconds", round(elapsed, 1))
    print(f"\nscale-out: {completed}/{CONVERSATIONS} conversations completed in {elapsed:.1f} s")
    assert not failed, "\n".join(f"conversation {o.number}: {o.problems}" for o in failed[:10])

    # Every session, code and link is its own: nothing crossed between conversations.
    assert len({o.token for o in outcomes}) == CONVERSATIONS
    assert len({o.link for o in outcomes}) == CONVERSATIONS

    # Each code, tried again against the very recovery it was issued for, is refused (used once only).
    with database.transaction() as session:
        handles = dict(
            session.execute(
                select(Conversation.user_id, Conversation.slots["handle"].as_string()).where(
                    Conversation.channel == "web"
                )
            ).all()
        )
    settings = make_settings(database_url=database.url).model_copy(update={"secret_key": SecretStr(SECRET_KEY)})
    core = build_core(settings, migrate=False)
    pseudonyms = Pseudonyms(SECRET_KEY.encode())
    try:
        for o in outcomes:
            again = core.recovery.verify_code(handles[pseudonyms.chat_key(o.token)], o.code)
            assert again.status is CheckStatus.NO_CODE, (o.number, again)
    finally:
        core.database.dispose()

    with database.transaction() as session:
        used_codes = session.scalar(select(func.count()).where(OneTimeCode.used_at.is_not(None)))
        passed = session.execute(
            select(AuditEvent.recovery_id, func.count())
            .where(AuditEvent.event == "verification.passed")
            .group_by(AuditEvent.recovery_id)
        ).all()
        links = session.scalar(select(func.count()).where(AuditEvent.event == "link.issued"))
    assert used_codes == CONVERSATIONS
    assert len(passed) == CONVERSATIONS and all(count == 1 for _, count in passed)
    assert links == CONVERSATIONS

    # The work really was spread over the workers, none crashed or timed out, and no request was refused.
    served = server.access_log.read_text().split()
    pids, statuses = set(served[0::2]), set(served[1::2])
    record_property("workers_used", len(pids))
    assert len(pids) == WORKERS, pids
    assert statuses <= {"200", "201"}, statuses
    log = server.log.read_text()
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log and " ERROR " not in log, log[-3000:]
    assert elapsed < 90
