"""A recovery attempt and what it issues: one-time codes, reset tokens, reset sessions; failed verifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.models.base import Base

__all__ = ["OneTimeCode", "Recovery", "ResetSession", "ResetToken", "VerificationFailure"]


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
    # The conversation's language (en, es, de...): what is sent outside its turns (the change notice after the
    # reset page) follows it. None: recoveries from before 0008, worded in RESETDESK_DEFAULT_LANGUAGE.
    lang: Mapped[str | None] = mapped_column(String(16))


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
