"""Accounts of the embedded directory, the anchors of LDAP/AD accounts, password history and enrolled answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.models.base import Base

__all__ = ["Account", "ChallengeAnswer", "DirectoryAccount", "PasswordHistory"]


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
    # When the person set (or reconfirmed) it themselves; NULL for answers an administrator imported.
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)
