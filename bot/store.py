"""Conversation stores. A message *claims* its conversation for the length of one turn, so two messages
for one conversation never interleave (on any worker), and saves with a version check.

The claim is a short lease written with a conditional UPDATE rather than a held transaction: the turn
calls the recovery service, which has its own transactions, and on SQLite a held write lock would block them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import Conversation, table_of
from dialogs.slots import Slots

__all__ = [
    "ConversationBusyError",
    "ConversationConflictError",
    "ConversationRecord",
    "ConversationStore",
    "MemoryConversationStore",
    "SqlConversationStore",
]


_TABLE = table_of(Conversation)

# The store's statements, built once: building one costs about as much as running it on SQLite.
# (Bound parameter names differ from column names, which an UPDATE's SET clause reserves.)
_THIS_CONVERSATION = (_TABLE.c.channel == bindparam("the_channel"), _TABLE.c.user_id == bindparam("the_user"))
_THIS_VERSION = (*_THIS_CONVERSATION, _TABLE.c.version == bindparam("seen_version"))
_CLAIM = (
    update(_TABLE)
    .where(*_THIS_CONVERSATION, or_(_TABLE.c.lease_until.is_(None), _TABLE.c.lease_until < bindparam("now")))
    .values(lease_until=bindparam("until"), version=_TABLE.c.version + 1)
    .returning(_TABLE.c.state, _TABLE.c.slots, _TABLE.c.transcript, _TABLE.c.version, _TABLE.c.updated_at)
)
_EXISTS = select(_TABLE.c.version).where(*_THIS_CONVERSATION)
_CREATE = insert(_TABLE)
_SAVE = (
    update(_TABLE)
    .where(*_THIS_VERSION)
    .values(
        state=bindparam("new_state"),
        slots=bindparam("new_slots", type_=_TABLE.c.slots.type),
        transcript=bindparam("new_transcript", type_=_TABLE.c.transcript.type),
        version=bindparam("new_version"),
        updated_at=bindparam("now"),
        lease_until=None,
    )
)
_RELEASE = update(_TABLE).where(*_THIS_VERSION).values(lease_until=None)


@dataclass
class ConversationRecord:
    channel: str
    user_id: str
    state: str
    slots: Slots = field(default_factory=Slots)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    updated_at: datetime | None = None  # last activity; None for a new conversation


class ConversationBusyError(RuntimeError):
    """Another turn held the conversation for longer than we were willing to wait."""


class ConversationConflictError(RuntimeError):
    """The lease ran out and another turn saved first; this turn's changes were not saved."""


class ConversationStore(Protocol):
    def claim(self, channel: str, user_id: str) -> Any:
        """Context manager yielding a ConversationRecord; saves it on a clean exit."""


class SqlConversationStore:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        initial_state: str,
        lease_seconds: float = 30,
        wait_seconds: float = 15,
    ) -> None:
        self._db = database
        self._clock = clock
        self._initial = initial_state
        self._lease = timedelta(seconds=lease_seconds)
        self._wait = wait_seconds

    @contextmanager
    def claim(self, channel: str, user_id: str) -> Iterator[ConversationRecord]:
        record = self._acquire(channel, user_id)
        try:
            yield record
        except BaseException:
            self._release(record)
            raise
        try:
            self._save(record)
        except ConversationConflictError:
            raise  # another turn owns it now; nothing of ours to release
        except Exception:
            # The save failed (database trouble): free the conversation so a resend is taken at once.
            with contextlib.suppress(Exception):
                self._release(record)
            raise

    def _acquire(self, channel: str, user_id: str) -> ConversationRecord:
        deadline = time.monotonic() + self._wait
        pause = 0.005
        while True:
            record = self._try_acquire(channel, user_id)
            if record is not None:
                return record
            if time.monotonic() > deadline:
                raise ConversationBusyError("conversation is busy")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _try_acquire(self, channel: str, user_id: str) -> ConversationRecord | None:
        # SQLAlchemy Core with RETURNING: a turn is two short statements, and the ORM's session
        # bookkeeping would cost more than the database work itself.
        now = self._clock.now()
        key = {"the_channel": channel, "the_user": user_id}
        try:
            with self._db.engine.begin() as connection:
                row = connection.execute(_CLAIM, {**key, "now": now, "until": now + self._lease}).first()
                if row is not None:
                    return ConversationRecord(
                        channel, user_id, row.state, row.slots, row.transcript, row.version, row.updated_at
                    )
                if connection.execute(_EXISTS, key).first() is not None:
                    return None  # someone else holds it
                connection.execute(
                    _CREATE,
                    {
                        "channel": channel, "user_id": user_id, "state": self._initial, "slots": {},
                        "transcript": [], "version": 1, "updated_at": now, "lease_until": now + self._lease,
                    },
                )  # fmt: skip
        except IntegrityError:
            return None  # created by a concurrent first message a moment ago; claim it next round
        return ConversationRecord(channel, user_id, self._initial, version=1)

    def _save(self, record: ConversationRecord) -> None:
        values = {
            "new_state": record.state,
            "new_slots": record.slots,
            "new_transcript": record.transcript,
            "new_version": record.version + 1,
            "now": self._clock.now(),
        }
        with self._db.engine.begin() as connection:
            saved = connection.execute(_SAVE, {**self._current(record), **values})
            if saved.rowcount != 1:
                raise ConversationConflictError("conversation changed while this message was handled")

    def _release(self, record: ConversationRecord) -> None:
        with self._db.engine.begin() as connection:
            connection.execute(_RELEASE, self._current(record))

    @staticmethod
    def _current(record: ConversationRecord) -> dict[str, Any]:
        return {"the_channel": record.channel, "the_user": record.user_id, "seen_version": record.version}


class MemoryConversationStore:
    """The same contract in process memory: for one process, tests and the engine benchmark."""

    def __init__(self, clock: Clock, *, initial_state: str) -> None:
        self._clock = clock
        self._initial = initial_state
        self._rows: dict[tuple[str, str], ConversationRecord] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def claim(self, channel: str, user_id: str) -> Iterator[ConversationRecord]:
        key = (channel, user_id)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            stored = self._rows.get(key)
            record = (
                replace(stored, slots=stored.slots.copy(), transcript=list(stored.transcript))
                if stored
                else ConversationRecord(channel, user_id, self._initial)
            )
            yield record
            record.version += 1
            record.updated_at = self._clock.now()
            self._rows[key] = record
