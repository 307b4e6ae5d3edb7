"""Self-enrollment (issue 16): contacts a person added and confirmed, codes confirming a new contact, and when
a person last reconfirmed their methods or was nudged to enroll."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.models.base import Base

__all__ = ["ContactConfirmation", "EnrolledContact", "EnrollmentStatus"]


class EnrolledContact(Base):
    """A contact the person added themselves. Used for recovery only once `confirmed_at` is set (NULL = pending).

    One per kind: a new one replaces the old only once its code is typed (until then it waits in
    `contact_confirmations`, so a half-done change never loses a working contact)."""

    __tablename__ = "enrolled_contacts"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # email | sms
    value: Mapped[str] = mapped_column(String(320))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ContactConfirmation(Base):
    """A code sent to a contact being added, as a keyed hash (never the code). One open per account and kind."""

    __tablename__ = "contact_confirmations"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class EnrollmentStatus(Base):
    __tablename__ = "enrollment_status"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    reconfirmed_at: Mapped[datetime | None] = mapped_column(DateTime)  # "these methods are still mine"
    nudged_at: Mapped[datetime | None] = mapped_column(DateTime)  # last `nudge-enrollment` message
