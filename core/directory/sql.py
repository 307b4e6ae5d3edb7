"""The embedded directory: employees, their passwords and password history, in our own database.

Implements core.directory.port.DirectoryBackend. Lookups go through the casefolded *_key columns so "E1001",
"e1001" and "Ｅ１００１" are the same employee, and each lookup runs the same query whether or not
anyone matches. argon2 work is done outside database transactions so no lock is held while hashing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock
from core.directory.contacts import email_shaped, phones_match, sql_phone_pattern
from core.directory.port import Account
from core.directory.sql_checks import DirectoryError, check_conflicts, check_lengths
from core.secrets.hashing import SlowHasher
from core.secrets.password_policy import normalise_password
from core.storage import models
from core.storage.db import Database

__all__ = ["DirectoryError", "EmployeeRecord", "SqlDirectory", "identifier_key"]


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """One employee as an import or the demo data describes them.

    `password` (plain) is hashed by the directory; `answers` ({question_id: answer}) are for an
    AnswerStore — the directory does not store them. Both are left out of repr so they never reach a log.
    """

    employee_id: str
    username: str | None = None
    full_name: str = ""
    email: str | None = None
    phone: str | None = None
    password: str | None = field(default=None, repr=False)
    answers: dict[str, str] = field(default_factory=dict, repr=False)


def identifier_key(identifier: str) -> str:
    """The lookup form of an employee ID or username: NFKC, trimmed, casefolded."""
    return unicodedata.normalize("NFKC", identifier).strip().casefold()


class SqlDirectory:
    def __init__(self, database: Database, hasher: SlowHasher, clock: Clock, *, history_limit: int = 24) -> None:
        self._db = database
        self._hasher = hasher
        self._clock = clock
        # Old hashes kept per account; must cover the deepest is_recent_password check (policy: last 5).
        self._history_limit = max(history_limit, 0)

    # -- DirectoryBackend -------------------------------------------------------------------------

    def find(self, identifier: str) -> Account | None:
        """By employee ID or username; an email address or a phone number typed instead matches too, when one
        account alone has it. The query depends on the typed text's shape only, never on who exists."""
        key = identifier_key(identifier)
        email = key if email_shaped(key) else None
        phone = sql_phone_pattern(key)
        query = _FIND_CONTACT if email or phone else _FIND
        with self._db.engine.connect() as connection:
            rows = list(connection.execute(query, {"key": key, "email": email, "phone": phone}))
        # An employee-ID match wins over a username match, which wins over a contact shared by no one else.
        by_id = [row for row in rows if row.employee_id_key == key] or [row for row in rows if row.username_key == key]
        if by_id:
            return _to_account(by_id[0])  # type: ignore[arg-type]
        contacts = [r for r in rows if (email and (r.email or "").casefold() == email) or phones_match(key, r.phone)]
        return _to_account(contacts[0]) if len(contacts) == 1 else None  # type: ignore[arg-type]

    def find_by_email(self, email: str) -> Account | None:
        """The one account with this email (case-insensitive), or None if none or several have it."""
        query = select(models.Account).where(func.lower(models.Account.email) == email.strip().lower()).limit(2)
        with self._db.transaction() as session:
            rows = list(session.scalars(query))
        return _to_account(rows[0]) if len(rows) == 1 else None

    def get(self, account_id: int) -> Account | None:
        # Core rather than the ORM: called several times a turn, and a read needs no session or identity map.
        with self._db.engine.connect() as connection:
            row = connection.execute(_GET, {"account_id": account_id}).first()
        return _to_account(row) if row else None  # type: ignore[arg-type]

    def verify_password(self, account_id: int, password: str) -> bool:
        with self._db.transaction() as session:
            row = session.get(models.Account, account_id)
            stored, locked = (row.password_hash, row.locked) if row else (None, True)
        if row is None:
            self._hasher.burn()  # same argon2 time as a real check
            return False
        ok = self._hasher.verify(stored, normalise_password(password))
        with self._db.transaction() as session:
            if not ok:
                counter = models.Account.failed_sign_ins
                session.execute(
                    update(models.Account).where(models.Account.id == account_id).values(failed_sign_ins=counter + 1)
                )
            elif not locked:
                session.execute(
                    update(models.Account)
                    .where(models.Account.id == account_id, models.Account.failed_sign_ins != 0)
                    .values(failed_sign_ins=0)
                )
        return ok and not locked

    def sign_in(self, identifier: str, password: str) -> Literal["signed_in", "locked", "wrong"]:
        """Demo portal sign-in: the same reads and argon2 work (the decoy hash) for unknown ids, "locked" only
        after the right password, and no write (a write for real accounts only would show in the time)."""
        account = self.find(identifier)
        with self._db.engine.connect() as connection:
            stored = connection.execute(_HASH, {"account_id": account.id if account else 0}).scalar()
        right = self._hasher.verify(stored, normalise_password(password))  # always run: stored None -> decoy
        return "wrong" if account is None or not right else "locked" if account.locked else "signed_in"

    def is_recent_password(self, account_id: int, password: str, depth: int) -> bool:
        if depth <= 0:
            return False
        with self._db.transaction() as session:
            row = session.get(models.Account, account_id)
            hashes = [row.password_hash] if row and row.password_hash else []
            hashes += session.scalars(
                select(models.PasswordHistory.password_hash)
                .where(models.PasswordHistory.account_id == account_id)
                .order_by(models.PasswordHistory.created_at.desc(), models.PasswordHistory.id.desc())
                .limit(depth)
            ).all()
        candidate = normalise_password(password)
        # Check every kept hash (no early exit): the answer should not depend on how old a match is.
        matches = [self._hasher.verify(stored, candidate) for stored in hashes[:depth]]
        return any(matches)

    def set_password(self, account_id: int, password: str) -> None:
        new_hash = self._hasher.hash(normalise_password(password))
        with self._db.transaction() as session:
            row = _locked_row(session, account_id)
            self._replace_hash(session, row, new_hash)
            row.locked = False
            row.failed_sign_ins = 0

    def unlock(self, account_id: int) -> None:
        self.set_locked(account_id, False)

    # -- administration (import, demo data) -------------------------------------------------------

    def set_locked(self, account_id: int, locked: bool) -> None:
        with self._db.transaction() as session:
            row = _locked_row(session, account_id)
            row.locked = locked
            if not locked:
                row.failed_sign_ins = 0
            row.updated_at = self._clock.now()

    def upsert(self, record: EmployeeRecord) -> bool:
        """Create or update the employee with this ID; True when created.

        Names and contacts follow the record (None clears them); a password of None keeps the current one,
        and a password equal to the current one is not re-hashed, so a re-import changes nothing.
        """
        employee_id = record.employee_id.strip()
        key = identifier_key(employee_id)
        username = (record.username or "").strip() or None
        username_key = identifier_key(username) if username else None
        check_lengths(employee_id, key, username, username_key, record)

        new_hash = self._new_hash_for(key, record.password)
        try:
            with self._db.transaction() as session:
                row = session.scalars(
                    select(models.Account).where(models.Account.employee_id_key == key).with_for_update()
                ).first()
                check_conflicts(session, row.id if row else None, key, username_key)
                now = self._clock.now()
                created = row is None
                if row is None:
                    row = models.Account(
                        employee_id_key=key,
                        locked=False,
                        failed_sign_ins=0,
                        created_at=now,
                        password_hash=None,
                    )
                    session.add(row)
                row.employee_id = employee_id
                row.username = username
                row.username_key = username_key
                row.full_name = record.full_name.strip()
                row.email = (record.email or "").strip() or None
                row.phone = (record.phone or "").strip() or None
                row.updated_at = now
                session.flush()
                if new_hash is not None:
                    self._replace_hash(session, row, new_hash)
        except IntegrityError:
            # Another writer took the key between our check and our insert.
            raise DirectoryError("the employee ID or username is already used by another employee") from None
        return created

    # -- helpers ----------------------------------------------------------------------------------

    def _new_hash_for(self, key: str, password: str | None) -> str | None:
        """The hash to store, or None when there is no password or it is already the current one."""
        if not password:
            return None
        candidate = normalise_password(password)
        with self._db.transaction() as session:
            current = session.scalar(select(models.Account.password_hash).where(models.Account.employee_id_key == key))
        if current and self._hasher.verify(current, candidate):
            return None
        return self._hasher.hash(candidate)

    def _replace_hash(self, session: Session, row: models.Account, new_hash: str) -> None:
        """Make `new_hash` current, moving the old one into the history and trimming it."""
        now = self._clock.now()
        if row.password_hash:
            session.add(models.PasswordHistory(account_id=row.id, password_hash=row.password_hash, created_at=now))
            session.flush()
        row.password_hash = new_hash
        row.updated_at = now
        kept = session.scalars(
            select(models.PasswordHistory)
            .where(models.PasswordHistory.account_id == row.id)
            .order_by(models.PasswordHistory.created_at.desc(), models.PasswordHistory.id.desc())
        ).all()
        for old in kept[self._history_limit :]:
            session.delete(old)


_ACCOUNT_COLUMNS = (
    models.Account.id,
    models.Account.employee_id,
    models.Account.username,
    models.Account.full_name,
    models.Account.email,
    models.Account.phone,
    models.Account.locked,
)
# Core reads made on most turns, built once (building a statement costs about as much as running it).
_GET = select(*_ACCOUNT_COLUMNS).where(models.Account.id == bindparam("account_id"))
_HASH = select(models.Account.password_hash).where(models.Account.id == bindparam("account_id"))
_BY_KEY = or_(models.Account.employee_id_key == bindparam("key"), models.Account.username_key == bindparam("key"))
_FIND = select(*_ACCOUNT_COLUMNS, models.Account.employee_id_key, models.Account.username_key).where(_BY_KEY)
# With an email- or phone-shaped identifier: also the accounts with that email, or a phone whose digits it may be
# (phones are stored as typed at import, so the pattern finds candidates and phones_match() decides).
_FIND_CONTACT = select(*_ACCOUNT_COLUMNS, models.Account.employee_id_key, models.Account.username_key).where(
    or_(_BY_KEY, func.lower(models.Account.email) == bindparam("email"), models.Account.phone.like(bindparam("phone")))
)


def _to_account(row: models.Account) -> Account:
    return Account(
        id=row.id,
        employee_id=row.employee_id,
        username=row.username,
        full_name=row.full_name or "",
        email=row.email,
        phone=row.phone,
        locked=bool(row.locked),
    )


def _locked_row(session: Session, account_id: int) -> models.Account:
    row = session.scalars(select(models.Account).where(models.Account.id == account_id).with_for_update()).first()
    if row is None:
        raise DirectoryError(f"no account with id {account_id}")
    return row
