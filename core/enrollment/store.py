"""Reads and writes of self-enrolled contacts and enrollment status, shared by enrollment and recovery.

Precedence when the directory and the person both have a contact of one kind: the directory's wins, and a
self-enrolled contact of that kind cannot be added (core/enrollment/contacts.py says so). The directory is kept
by the company (HR changes it when a phone or a person changes), while a self-enrolled contact is only as
strong as the password that added it; recovery is the moment that password may be in someone else's hands, so
it must not be able to move codes away from the contact the company vouches for. A self-enrolled contact fills
the gaps: a kind the directory has nothing for. Only CONFIRMED self contacts count; a pending one lives in
`contact_confirmations` and is never read here.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.directory.port import Account
from core.storage.db import Database
from core.storage.models import EnrolledContact, EnrollmentStatus

__all__ = ["confirmed_contacts", "recovery_account", "status_row"]

_CONFIRMED = select(EnrolledContact.kind, EnrolledContact.value, EnrolledContact.confirmed_at).where(
    EnrolledContact.account_id == bindparam("account_id"), EnrolledContact.confirmed_at.is_not(None)
)


def confirmed_contacts(database: Database, account_id: int) -> dict[str, tuple[str, datetime | None]]:
    """{kind: (value, confirmed_at)} of the confirmed self-enrolled contacts (pending ones never)."""
    with database.engine.connect() as connection:
        rows = connection.execute(_CONFIRMED, {"account_id": account_id}).all()
    return {kind: (value, confirmed_at) for kind, value, confirmed_at in rows}


def recovery_account(database: Database, account: Account | None, account_id: int) -> Account | None:
    """`account` with the contacts a recovery may use: the directory's, and a confirmed self-enrolled one for a
    kind the directory has none of. Runs the same query for an unknown account (`account_id` 0), so the time
    taken does not tell them apart."""
    mine = confirmed_contacts(database, account_id)
    if account is None:
        return None
    email = account.email or (mine["email"][0] if "email" in mine else None)
    phone = account.phone or (mine["sms"][0] if "sms" in mine else None)
    if (email, phone) == (account.email, account.phone):
        return account
    return dataclasses.replace(account, email=email, phone=phone)


def status_row(session: Session, account_id: int) -> EnrollmentStatus:
    """The account's enrollment status row, created empty when missing (in the caller's transaction)."""
    row = session.get(EnrollmentStatus, account_id)
    if row is None:
        row = EnrollmentStatus(account_id=account_id, reconfirmed_at=None, nudged_at=None)
        session.add(row)
    return row
