"""SQLAlchemy models. The schema is created and upgraded by the Alembic migrations in core/storage/migrations.

Datetimes are naive UTC (see core.clock). Secrets are never stored in the clear: passwords and answers as
argon2id, codes and reset tokens as keyed hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Account",
    "Agent",
    "AgentSession",
    "AuditEvent",
    "Base",
    "ChallengeAnswer",
    "ChatMessage",
    "Conversation",
    "DeliveryJob",
    "DirectoryAccount",
    "HandoffTicket",
    "OneTimeCode",
    "OutboxMessage",
    "PasswordHistory",
    "ProcessedEvent",
    "RateLimitWindow",
    "Recovery",
    "ResetSession",
    "ResetToken",
    "TicketMessage",
    "VerificationFailure",
    "table_of",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for statements on the hot path that skip the ORM's unit of work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Account(Base):
    """An employee in the embedded directory."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(64))
    employee_id_key: Mapped[str] = mapped_column(String(64), unique=True)  # casefolded, for lookup
    username: Mapped[str | None] = mapped_column(String(128))
    username_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DirectoryAccount(Base):
    """An account of an LDAP or AD directory, keyed by its stable id (entryUUID / objectGUID), never its DN.

    Its `account_id` is an anchor row in `accounts` (no password, no contacts), so enrolled answers, history
    and audit keep one int key across a rename or a move in the directory.
    """

    __tablename__ = "directory_accounts"
    __table_args__ = (UniqueConstraint("directory", "stable_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    directory: Mapped[str] = mapped_column(String(8))  # ldap | ad
    stable_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PasswordHistory(Base):
    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ChallengeAnswer(Base):
    __tablename__ = "challenge_answers"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    answer_hash: Mapped[str] = mapped_column(String(255))


class Recovery(Base):
    """One recovery attempt; its id is the opaque handle the dialogs hold.

    `subject` is what rate limits and failure counters key on: "account:<id>" for a known account,
    "unknown:<keyed hash of the identifier>" otherwise, so unknown identifiers are limited exactly alike.
    """

    __tablename__ = "recoveries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(96), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    channel_user: Mapped[str] = mapped_column(String(128))
    verified_steps: Mapped[list[Any]] = mapped_column(default=list)
    drawn_questions: Mapped[list[Any]] = mapped_column(default=list)
    # Set by an agent who verified the person their own way: the self-service lock no longer applies.
    agent_override: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-question outcome while answers arrive one at a time; judged (and cleared) once all are in.
    answer_results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # retention
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class OneTimeCode(Base):
    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_subject_created", "subject", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[str] = mapped_column(ForeignKey("recoveries.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(96))
    method: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ResetToken(Base):
    __tablename__ = "reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    recovery_id: Mapped[str | None] = mapped_column(ForeignKey("recoveries.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ResetSession(Base):
    """A reset link opened in a browser, so later requests need no token in the URL. The browser's HttpOnly
    cookie holds a random handle; this row is found by the handle's hash and holds the token sealed with a key
    derived from the handle: neither the cookie nor the database alone gives the token."""

    __tablename__ = "reset_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed_token: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class VerificationFailure(Base):
    """One failed verification, counted in a sliding window per subject (account or channel user)."""

    __tablename__ = "verification_failures"
    __table_args__ = (Index("ix_verification_failures_subject_at", "subject", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime)


class Conversation(Base):
    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(String(64))
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    transcript: Mapped[list[Any]] = mapped_column(default=list)  # redacted, for hand-off
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # While a worker handles a message it holds a short lease, so messages for one conversation queue up.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)


class HandoffTicket(Base):
    __tablename__ = "handoff_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    recovery_id: Mapped[str | None] = mapped_column(ForeignKey("recoveries.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(32))
    channel_user: Mapped[str] = mapped_column(String(128))
    transcript: Mapped[list[Any]] = mapped_column(default=list)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(16))  # resolved | unresolved | returned | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)  # retention


class TicketMessage(Base):
    """The live chat on a ticket: the person's lines (redacted like the transcript) and the agent's."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("handoff_tickets.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # person | agent | system
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Agent(Base):
    """A live-support agent who signs in to the console."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # TOTP: the secret sealed with a key derived from SECRET_KEY; the last time step used (replay guard).
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)


class AgentSession(Base):
    """A console sign-in. The cookie holds a random id; only its SHA-256 is kept, so the table cannot be
    replayed as cookies."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class ChatMessage(Base):
    """What a polling channel (the web chat) shows: the person's lines (redacted) and replies (links
    without their URL: a reset link holds a token and is only ever returned once, in the live response)."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_conversation", "channel", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    sender: Mapped[str] = mapped_column(String(16))  # person | bot | agent
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # retention


class ProcessedEvent(Base):
    """Platform event ids already handled (Slack retries, repeated Telegram update_id): processed once."""

    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class RateLimitWindow(Base):
    """Fixed-window request counters, shared by every worker through the database."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    """Email and SMS kept in the database by the outbox backends (demo and development delivery)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DeliveryJob(Base):
    """One email or SMS waiting for the delivery worker, written in the transaction that made its code.
    `payload` (recipient and text) is sealed with AES-GCM and blanked once the job is sent or given up."""

    __tablename__ = "delivery_jobs"
    __table_args__ = (Index("ix_delivery_jobs_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # email | sms
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued | sending | sent | failed
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    recovery_id: Mapped[str | None] = mapped_column(ForeignKey("recoveries.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("one_time_codes.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)  # not worth sending after this
    claim: Mapped[str | None] = mapped_column(String(32))  # the claiming worker's token
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)  # a crashed worker's job is retaken after
    last_error: Mapped[str | None] = mapped_column(String(200))  # DeliveryError.reason, never the content
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    event: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(160))
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recovery_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
