"""AnswerStore: normalised, hashed answers; all-or-nothing verification with even timing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.directory.sql import EmployeeRecord, SqlDirectory
from core.secrets.answers import AnswerStore
from core.secrets.hashing import SlowHasher
from core.settings import Settings
from core.storage import models
from core.storage.db import Database
from tests.support import FakeClock

ANSWERS = {"first_pet": "Rex the Dog", "birth_city": "São Paulo", "first_school": "Oakfield Primary"}


class CountingHasher(SlowHasher):
    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.verifies = 0

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        self.verifies += 1
        return super().verify(stored_hash, secret)


@pytest.fixture
def hasher(settings: Settings) -> CountingHasher:
    return CountingHasher(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost, parallelism=1)


@pytest.fixture
def store(database: Database, hasher: CountingHasher) -> AnswerStore:
    return AnswerStore(database, hasher)


@pytest.fixture
def account_id(database: Database, hasher: CountingHasher, clock: FakeClock) -> int:
    directory = SqlDirectory(database, hasher, clock)
    directory.upsert(EmployeeRecord(employee_id="E1001", full_name="Alice Smith"))
    account = directory.find("E1001")
    assert account is not None
    return account.id


def test_answers_are_normalised(store: AnswerStore, account_id: int) -> None:
    store.enrol(account_id, ANSWERS)
    assert store.verify(account_id, {"first_pet": "  rex   THE dog ", "birth_city": "SÃO PAULO"})
    assert store.verify(account_id, {"first_school": "oakfield\tprimary"})


def test_one_wrong_answer_fails_all(store: AnswerStore, account_id: int) -> None:
    store.enrol(account_id, ANSWERS)
    assert not store.verify(account_id, {"first_pet": "Rex the Dog", "birth_city": "Lisbon"})
    assert not store.verify(account_id, {"first_pet": "Rex", "birth_city": "São Paulo"})


def test_every_answer_is_checked_even_after_a_wrong_one(
    store: AnswerStore, account_id: int, hasher: CountingHasher
) -> None:
    store.enrol(account_id, ANSWERS)
    hasher.verifies = 0
    assert not store.verify(account_id, {"first_pet": "wrong", "birth_city": "wrong", "first_school": "wrong"})
    assert hasher.verifies == 3


def test_unenrolled_question_fails_and_costs_the_same(
    store: AnswerStore, account_id: int, hasher: CountingHasher
) -> None:
    store.enrol(account_id, ANSWERS)
    hasher.verifies = 0
    assert not store.verify(account_id, {"first_pet": "Rex the Dog", "first_car": "Volvo"})
    assert hasher.verifies == 2


def test_nothing_given_is_not_verified(store: AnswerStore, account_id: int) -> None:
    store.enrol(account_id, ANSWERS)
    assert not store.verify(account_id, {})
    assert not store.verify(account_id + 99, {"first_pet": "Rex the Dog"})


def test_enrolled_lists_question_ids_in_pool_order(store: AnswerStore, account_id: int) -> None:
    assert store.enrolled(account_id) == []
    store.enrol(account_id, {"first_school": "x school", "first_pet": "Rex"})
    assert store.enrolled(account_id) == ["first_pet", "first_school"]


def test_enrol_replaces_previous_answers(store: AnswerStore, account_id: int) -> None:
    store.enrol(account_id, ANSWERS)
    store.enrol(account_id, {"first_car": "Volvo"})
    assert store.enrolled(account_id) == ["first_car"]
    assert not store.verify(account_id, {"first_pet": "Rex the Dog"})
    assert store.verify(account_id, {"first_car": "volvo"})
    store.enrol(account_id, {})
    assert store.enrolled(account_id) == []


def test_answers_are_stored_hashed(store: AnswerStore, account_id: int, database: Database) -> None:
    store.enrol(account_id, ANSWERS)
    with database.transaction() as session:
        hashes = session.scalars(select(models.ChallengeAnswer.answer_hash)).all()
    assert len(hashes) == 3
    for stored in hashes:
        assert stored.startswith("$argon2id$")
        assert not any(answer.casefold() in stored.casefold() for answer in ANSWERS.values())


def test_enrol_rejects_unknown_question_or_empty_answer_without_echoing(store: AnswerStore, account_id: int) -> None:
    with pytest.raises(ValueError) as caught:
        store.enrol(account_id, {"favourite_colour": "Secret-Teal"})
    assert "Secret-Teal" not in str(caught.value)
    with pytest.raises(ValueError):
        store.enrol(account_id, {"first_pet": "   "})
    assert store.enrolled(account_id) == []


def test_verify_decoy_burns_one_check_per_answer(store: AnswerStore, hasher: CountingHasher) -> None:
    hasher.verifies = 0
    store.verify_decoy(2)
    assert hasher.verifies == 2
    store.verify_decoy(0)
    assert hasher.verifies == 2
