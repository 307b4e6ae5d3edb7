"""Retention (issue 13, finding 7): `purge` deletes what is past its retention, keeps what is newer, never
touches a ticket that is still open (nor that person's conversation, history and recovery), and
`python app.py purge` prints what it deleted."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.storage import models
from core.storage.db import Database
from core.storage.retention import purge
from tests.support import FakeClock

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = timedelta(days=31), timedelta(days=29)  # either side of the 30-day default


def add_chat(session: Session, now: datetime, user: str, age: timedelta, *, ticket: str | None = None) -> None:
    """A web chat: conversation, history line, recovery with a code, an outbox copy, a failure, and optionally a ticket
    ("open", "assigned" or "closed", closed `age` ago) with a live-chat line."""
    at = now - age
    add, flush = session.add, session.flush
    add(
        models.Conversation(
            channel="web", user_id=user, state="idle", slots={}, transcript=[], version=0, updated_at=at
        )
    )
    add(models.ChatMessage(channel="web", user_id=user, sender="person", payload={"text": "hi"}, created_at=at))
    add(models.Recovery(id=f"rec-{user}", subject=f"account:{user}", purpose="reset", channel="web", channel_user=user,
                        verified_steps=[], drawn_questions=[], answer_results={}, created_at=at))  # fmt: skip
    flush()
    add(models.OneTimeCode(recovery_id=f"rec-{user}", subject=f"account:{user}", method="email", code_hash="h" + user,
                           created_at=at, expires_at=at + timedelta(minutes=10)))  # fmt: skip
    add(
        models.OutboxMessage(
            kind="email", recipient=f"{user}@example.com", subject="Code", body="123456", created_at=at
        )
    )
    add(models.VerificationFailure(subject=f"account:{user}", at=at))
    if ticket:
        closed_at = at if ticket == "closed" else None
        row = models.HandoffTicket(reference=f"RD-{user.upper()[:6]}", reason="asked", status=ticket,
                                   recovery_id=f"rec-{user}", channel="web", channel_user=user, transcript=[],
                                   created_at=at, updated_at=at, closed_at=closed_at)  # fmt: skip
        add(row)
        flush()
        add(models.TicketMessage(ticket_id=row.id, sender="agent", text="hello", created_at=at))


def counts(database: Database) -> dict[str, int]:
    tables = (models.Conversation, models.ChatMessage, models.Recovery, models.OneTimeCode, models.HandoffTicket,
              models.TicketMessage, models.OutboxMessage, models.AuditEvent, models.VerificationFailure)  # fmt: skip
    with database.transaction() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


@pytest.fixture
def filled(database: Database, clock: FakeClock) -> Database:
    now = clock.now()
    with database.transaction() as session:
        add_chat(session, now, "old", OLD)
        add_chat(session, now, "new", NEW)
        add_chat(session, now, "oldclosed", OLD, ticket="closed")
        add_chat(session, now, "newclosed", NEW, ticket="closed")
        add_chat(session, now, "oldopen", timedelta(days=100), ticket="open")
        add_chat(session, now, "oldassigned", timedelta(days=100), ticket="assigned")
        for age in (366, 364):
            session.add(models.AuditEvent(at=now - timedelta(days=age), event="x", actor="system", detail={}))
    return database


def users(database: Database, model: type[models.Base], column: str) -> set[str]:
    with database.transaction() as session:
        return set(session.scalars(select(getattr(model, column))))


def test_old_rows_go_new_rows_and_open_tickets_stay(filled: Database, clock: FakeClock) -> None:
    before = counts(filled)
    deleted = purge(filled, clock)
    assert deleted["conversations"] == 2 and deleted["chat_messages"] == 2  # "old", "oldclosed"
    assert deleted["handoff_tickets"] == 1 and deleted["ticket_messages"] == 1 and deleted["audit_events"] == 1
    assert users(filled, models.Conversation, "user_id") == {"new", "newclosed", "oldopen", "oldassigned"}
    assert users(filled, models.ChatMessage, "user_id") == {"new", "newclosed", "oldopen", "oldassigned"}
    assert users(filled, models.HandoffTicket, "channel_user") == {"newclosed", "oldopen", "oldassigned"}
    assert users(filled, models.HandoffTicket, "status") == {"closed", "open", "assigned"}
    # Recoveries an open or kept ticket points at stay; the others older than 30 days go.
    assert users(filled, models.Recovery, "channel_user") == {"new", "newclosed", "oldopen", "oldassigned"}
    assert (
        len(users(filled, models.OneTimeCode, "code_hash")) == 2 and len(users(filled, models.OutboxMessage, "id")) == 2
    )
    with filled.transaction() as session:
        assert [a.at for a in session.scalars(select(models.AuditEvent))] == [clock.now() - timedelta(days=364)]
        assert session.scalar(select(func.count()).select_from(models.TicketMessage)) == 3
    after = counts(filled)
    assert all(before[table] - after[table] == deleted[table] for table in before)  # the counts are true
    assert sum(purge(filled, clock).values()) == 0  # nothing more the second time


def test_open_tickets_are_kept_however_old_until_closed(filled: Database, clock: FakeClock) -> None:
    clock.advance(days=400)
    purge(filled, clock)
    assert users(filled, models.HandoffTicket, "status") == {"open", "assigned"}
    assert users(filled, models.Conversation, "user_id") == {"oldopen", "oldassigned"}
    with filled.transaction() as session:
        ticket = session.scalars(select(models.HandoffTicket).where(models.HandoffTicket.status == "open")).one()
        ticket.status, ticket.closed_at = "closed", clock.now()
    clock.advance(days=31)
    purge(filled, clock)
    assert users(filled, models.HandoffTicket, "status") == {"assigned"}
    assert users(filled, models.Conversation, "user_id") == {"oldassigned"}


def test_the_periods_are_settings_and_failures_inside_the_lock_window_stay(filled: Database, clock: FakeClock) -> None:
    deleted = purge(filled, clock, retention_days=1, audit_retention_days=365, verification_window_seconds=40 * 86400)
    assert deleted["conversations"] == 4 and deleted["audit_events"] == 1
    assert deleted["verification_failures"] == 2  # the two 100-day-old ones; 29 and 31 days are in the window
    with pytest.raises(ValueError, match="at least one day"):
        purge(filled, clock, retention_days=0)


def test_purge_command_prints_the_counts(tmp_path: Path) -> None:
    """`python app.py purge` as a real process, on the real clock: a chat 40 days old goes, today's stays."""
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    database = Database(url)
    database.migrate()
    now = datetime.now().replace(tzinfo=None)
    with database.transaction() as session:
        add_chat(session, now, "ancient", timedelta(days=40))
        add_chat(session, now, "today", timedelta(hours=1))
    database.dispose()
    environment = {**os.environ, "RESETDESK_DATABASE_URL": url, "RESETDESK_SECRET_KEY": "purge-test-key"}
    result = subprocess.run([sys.executable, "app.py", "purge"], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert lines["conversations"] == "1" and lines["chat_messages"] == "1" and lines["recoveries"] == "1"
    assert lines["audit_events"] == "0" and int(lines["total"]) >= 5
    assert "older than 30 days" in result.stdout and "older than 365 days" in result.stdout
    database = Database(url)
    assert users(database, models.Conversation, "user_id") == {"today"}
    database.dispose()
