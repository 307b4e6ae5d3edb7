"""The embedded directory's admin checks: field lengths, and keys that must stay unambiguous."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.storage import models

if TYPE_CHECKING:
    from core.directory.sql import EmployeeRecord

__all__ = ["DirectoryError", "check_conflicts", "check_lengths"]

_EMPLOYEE_ID_MAX = 64
_USERNAME_MAX = 128
_FULL_NAME_MAX = 200
_EMAIL_MAX = 320
_PHONE_MAX = 32


class DirectoryError(ValueError):
    """An admin change the directory refuses (e.g. a username another employee has). Never holds secrets."""


def check_lengths(
    employee_id: str, key: str, username: str | None, username_key: str | None, record: EmployeeRecord
) -> None:
    if not employee_id:
        raise DirectoryError("employee_id is required")
    limits: list[tuple[str, Any, int]] = [
        ("employee_id", max(len(employee_id), len(key)), _EMPLOYEE_ID_MAX),
        ("username", max(len(username or ""), len(username_key or "")), _USERNAME_MAX),
        ("full_name", len(record.full_name.strip()), _FULL_NAME_MAX),
        ("email", len((record.email or "").strip()), _EMAIL_MAX),
        ("phone", len((record.phone or "").strip()), _PHONE_MAX),
    ]
    for name, length, limit in limits:
        if length > limit:
            raise DirectoryError(f"{name} is longer than {limit} characters")


def check_conflicts(session: Session, own_id: int | None, key: str, username_key: str | None) -> None:
    """Keys stay unambiguous: no username equals another employee's username or employee ID,
    and no employee ID equals another employee's username (find() could not tell them apart)."""
    others = select(models.Account.id)
    if own_id is not None:
        others = others.where(models.Account.id != own_id)
    if username_key is not None:
        clash = or_(models.Account.username_key == username_key, models.Account.employee_id_key == username_key)
        if session.scalar(others.where(clash).limit(1)) is not None:
            raise DirectoryError("the username is already used by another employee")
    if session.scalar(others.where(models.Account.username_key == key).limit(1)) is not None:
        raise DirectoryError("the employee ID is already another employee's username")
