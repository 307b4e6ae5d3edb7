"""Local account ids for a remote directory's people, keyed by their stable id (entryUUID or objectGUID).

ResetDesk's tables (enrolled answers, recoveries, links, audit) key accounts by an int. For an LDAP or AD
person that int is an anchor row in `accounts` (no password, no contacts, an employee_id no one can type)
plus a `directory_accounts` row with the stable id, so a rename or a move in the directory loses nothing.
The mapping never changes once made, so it is cached in memory.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.storage import models
from core.storage.db import Database

__all__ = ["AccountKeys"]


class AccountKeys:
    def __init__(self, database: Database, clock: Clock, kind: str) -> None:
        self._db = database
        self._clock = clock
        self._kind = kind
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}
        self._stable: dict[int, str] = {}

    def id_for(self, stable_id: str) -> int:
        """The local id of this directory person, made on first sight."""
        with self._lock:
            if stable_id in self._ids:
                return self._ids[stable_id]
        account_id = self._lookup(stable_id)
        if account_id is None:
            try:
                account_id = self._create(stable_id)
            except IntegrityError:  # another worker made it first
                account_id = self._lookup(stable_id)
                assert account_id is not None
        self._remember(stable_id, account_id)
        return account_id

    def stable_id_of(self, account_id: int) -> str | None:
        with self._lock:
            if account_id in self._stable:
                return self._stable[account_id]
        with self._db.engine.connect() as connection:
            stable_id = connection.execute(
                select(models.DirectoryAccount.stable_id).where(
                    models.DirectoryAccount.account_id == account_id, models.DirectoryAccount.directory == self._kind
                )
            ).scalar()
        if stable_id is not None:
            self._remember(stable_id, account_id)
        return stable_id

    def _remember(self, stable_id: str, account_id: int) -> None:
        with self._lock:
            self._ids[stable_id] = account_id
            self._stable[account_id] = stable_id

    def _lookup(self, stable_id: str) -> int | None:
        with self._db.engine.connect() as connection:
            return connection.execute(
                select(models.DirectoryAccount.account_id).where(
                    models.DirectoryAccount.directory == self._kind, models.DirectoryAccount.stable_id == stable_id
                )
            ).scalar()

    def _create(self, stable_id: str) -> int:
        now = self._clock.now()
        # "~" cannot start an identifier anyone types, so the anchor never matches a lookup by itself.
        anchor_key = f"~{self._kind}:{stable_id}"[:64].casefold()
        with self._db.transaction() as session:
            anchor = models.Account(
                employee_id=anchor_key, employee_id_key=anchor_key, full_name="", locked=False,
                failed_sign_ins=0, password_hash=None, created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(anchor)
            session.flush()
            session.add(
                models.DirectoryAccount(account_id=anchor.id, directory=self._kind, stable_id=stable_id, created_at=now)
            )
            return anchor.id
