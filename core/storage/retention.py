"""Retention: delete what ResetDesk no longer needs, so personal data does not pile up forever.

`purge()` is what `python app.py purge` runs (and the delivery worker, daily). Chats, their history, closed
tickets, recovery records, codes, links and outbox copies go after `retention_days` (30 by default); audit
events after `audit_retention_days` (365). A ticket still open or assigned is never purged, nor the
conversation, chat history and recovery it belongs to, however old. Each table is one DELETE in its own
transaction, so no lock is held across the whole purge; running it twice deletes nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Delete, and_, delete, exists, not_, select
from sqlalchemy.orm import QueryableAttribute

from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database, rows_changed
from core.storage.models import (
    AgentSession,
    AuditEvent,
    ChatMessage,
    Conversation,
    DeliveryJob,
    HandoffTicket,
    OneTimeCode,
    OutboxMessage,
    ProcessedEvent,
    RateLimitWindow,
    Recovery,
    ResetSession,
    ResetToken,
    TicketMessage,
    VerificationFailure,
)

__all__ = ["format_counts", "purge", "purge_expired"]

_OPEN = HandoffTicket.status != "closed"


def _has_open_ticket(channel: QueryableAttribute[str], user: QueryableAttribute[str]) -> ColumnElement[bool]:
    """A person with a ticket still open keeps their conversation and history (an agent may be reading it)."""
    return exists().where(_OPEN, HandoffTicket.channel == channel, HandoffTicket.channel_user == user)


def _statements(now: datetime, chats: datetime, audit: datetime, failures: datetime) -> list[tuple[str, Delete]]:
    closed_before = and_(HandoffTicket.status == "closed", HandoffTicket.closed_at < chats)
    closed_tickets = select(HandoffTicket.id).where(closed_before)
    # A recovery goes once no kept ticket points at it (an open ticket's agent still acts on it).
    unticketed = not_(exists().where(HandoffTicket.recovery_id == Recovery.id))
    history_free = not_(_has_open_ticket(ChatMessage.channel, ChatMessage.user_id))
    conversation_free = not_(_has_open_ticket(Conversation.channel, Conversation.user_id))
    finished_jobs = DeliveryJob.status.in_(("sent", "failed"))  # a queued one is still owed to someone
    return [
        ("ticket_messages", delete(TicketMessage).where(TicketMessage.ticket_id.in_(closed_tickets))),
        ("handoff_tickets", delete(HandoffTicket).where(closed_before)),
        ("delivery_jobs", delete(DeliveryJob).where(finished_jobs, DeliveryJob.run_after < chats)),
        ("one_time_codes", delete(OneTimeCode).where(OneTimeCode.created_at < chats)),
        ("reset_tokens", delete(ResetToken).where(ResetToken.expires_at < chats)),
        ("recoveries", delete(Recovery).where(Recovery.created_at < chats, unticketed)),
        ("chat_messages", delete(ChatMessage).where(ChatMessage.created_at < chats, history_free)),
        ("conversations", delete(Conversation).where(Conversation.updated_at < chats, conversation_free)),
        ("outbox_messages", delete(OutboxMessage).where(OutboxMessage.created_at < chats)),
        ("processed_events", delete(ProcessedEvent).where(ProcessedEvent.at < chats)),
        ("verification_failures", delete(VerificationFailure).where(VerificationFailure.at < failures)),
        ("reset_sessions", delete(ResetSession).where(ResetSession.expires_at < now)),
        ("agent_sessions", delete(AgentSession).where(AgentSession.last_seen_at < chats)),
        ("rate_limit_windows", delete(RateLimitWindow).where(RateLimitWindow.window_start < now - timedelta(days=1))),
        ("audit_events", delete(AuditEvent).where(AuditEvent.at < audit)),
    ]


def purge(
    database: Database,
    clock: Clock,
    *,
    retention_days: int = 30,
    audit_retention_days: int = 365,
    verification_window_seconds: int = 24 * 3600,
) -> dict[str, int]:
    """Delete rows past their retention; returns how many went, per table (in the order purged)."""
    if retention_days < 1 or audit_retention_days < 1:
        raise ValueError("retention periods are at least one day")
    now = clock.now()
    chats = now - timedelta(days=retention_days)
    audit = now - timedelta(days=audit_retention_days)
    # Failures inside the lock window still count, even with a retention shorter than the window.
    failures = min(chats, now - timedelta(seconds=verification_window_seconds))
    counts: dict[str, int] = {}
    for table, statement in _statements(now, chats, audit, failures):
        with database.engine.begin() as connection:
            counts[table] = rows_changed(connection.execute(statement))
    return counts


def purge_expired(settings: Settings, database: Database, clock: Clock) -> dict[str, int]:
    """The purge with the configured retention (`python app.py purge`, and daily in every delivery worker)."""
    return purge(
        database,
        clock,
        retention_days=settings.retention_days,
        audit_retention_days=settings.audit_retention_days,
        verification_window_seconds=settings.verification_window_seconds,
    )


def format_counts(counts: dict[str, int]) -> str:
    lines = [f"  {table:<22} {count:>8}" for table, count in counts.items()]
    return "\n".join(["Purged (rows deleted):", *lines, f"  {'total':<22} {sum(counts.values()):>8}"])
