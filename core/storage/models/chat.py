"""What the channels keep: conversations, the web chat's messages, processed platform events, rate-limit windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.models.base import Base

__all__ = ["ChatMessage", "Conversation", "ProcessedEvent", "RateLimitWindow"]


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
