"""Email and SMS delivery: the outbox of the demo/development backends and the delivery worker's queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.models.base import Base

__all__ = ["DeliveryJob", "OutboxMessage"]


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
