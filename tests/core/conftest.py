"""People to recover and ways to read what was sent (the `core` and `make_core` fixtures are in tests/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app import Core
from core.directory.sql import EmployeeRecord, SqlDirectory
from core.secrets.answers import AnswerStore
from core.secrets.hashing import SlowHasher
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import OutboxMessage
from tests.conftest import CoreFactory
from tests.support import FakeClock, deliver_queued

ANSWERS = {"first_pet": "Rex the Dog", "birth_city": "Lyon", "first_school": "St. Mary's"}
OLD_PASSWORD = "an old passphrase 4 testing"

__all__ = ["ANSWERS", "OLD_PASSWORD", "CoreFactory", "add_employee", "last_outbox_code", "outbox_count"]


def add_employee(core: Core, employee_id: str = "E1001", **fields: Any) -> int:
    record = {
        "username": employee_id.lower() + "user",
        "full_name": "Jordan Example",
        "email": f"{employee_id.lower()}@example.com",
        "phone": "+15555550101",
        "password": OLD_PASSWORD,
        "answers": dict(ANSWERS),
    } | fields
    answers = record.pop("answers")
    core.directory.upsert(EmployeeRecord(employee_id=employee_id, **record))
    account = core.directory.find(employee_id)
    assert account is not None
    if answers:
        core.answers.enrol(account.id, answers)
    return account.id


def last_outbox_code(core: Core, kind: str = "email") -> str:
    """The code in the newest outbox message of `kind` (what is queued is delivered first)."""
    deliver_queued(core)
    with core.database.transaction() as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
        ).first()
    assert body is not None, f"no {kind} in the outbox"
    match = re.search(r"\b(\d{6,10})\b", body)
    assert match is not None
    return match.group(1)


def outbox_count(core: Core) -> int:
    deliver_queued(core)
    with core.database.transaction() as session:
        return len(session.scalars(select(OutboxMessage.id)).all())


# Directory and answer store alone (no RecoveryService), for the importer and demo-data tests.


@pytest.fixture
def hasher(settings: Settings) -> SlowHasher:
    return SlowHasher(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost, parallelism=1)


@pytest.fixture
def directory(database: Database, hasher: SlowHasher, clock: FakeClock) -> SqlDirectory:
    return SqlDirectory(database, hasher, clock)


@pytest.fixture
def answers(database: Database, hasher: SlowHasher) -> AnswerStore:
    return AnswerStore(database, hasher)
