"""SqlDirectory: lookup, password checks, history and the admin upsert."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from core.directory.sql import DirectoryError, EmployeeRecord, SqlDirectory
from core.secrets.hashing import SlowHasher
from core.settings import Settings
from core.storage import models
from core.storage.db import Database
from tests.support import FakeClock

PASSWORDS = [f"orbit-lantern-{word}-meadow" for word in ("one", "two", "three", "four", "five", "six")]


class CountingHasher(SlowHasher):
    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.burns = 0
        self.verifies = 0

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        self.verifies += 1
        return super().verify(stored_hash, secret)

    def burn(self) -> None:
        self.burns += 1
        super().burn()


@pytest.fixture
def hasher(settings: Settings) -> CountingHasher:
    """Overrides the conftest hasher, so the conftest `directory` counts its argon2 work here."""
    return CountingHasher(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost, parallelism=1)


def _alice(**changes: object) -> EmployeeRecord:
    fields: dict[str, object] = {
        "employee_id": "E1001",
        "username": "ASmith",
        "full_name": "Alice Smith",
        "email": "alice@example.com",
        "phone": "+12025550101",
        "password": PASSWORDS[0],
    }
    fields.update(changes)
    return EmployeeRecord(**fields)  # type: ignore[arg-type]


def _failed_sign_ins(database: Database, account_id: int) -> int:
    with database.transaction() as session:
        return session.scalar(select(models.Account.failed_sign_ins).where(models.Account.id == account_id)) or 0


def _history_rows(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(models.PasswordHistory)) or 0


@pytest.mark.parametrize("identifier", ["E1001", "e1001", "  E1001 ", "Ｅ１００１", "asmith", "ASMITH", " aSmith"])
def test_find_by_employee_id_or_username_ignores_case_width_and_spaces(
    directory: SqlDirectory, identifier: str
) -> None:
    directory.upsert(_alice())
    account = directory.find(identifier)
    assert account is not None
    assert (account.employee_id, account.username, account.full_name) == ("E1001", "ASmith", "Alice Smith")
    assert account.email == "alice@example.com"
    assert not account.locked


def test_find_unknown_returns_none(directory: SqlDirectory) -> None:
    directory.upsert(_alice())
    assert directory.find("E1002") is None
    assert directory.find("") is None
    assert directory.find("x" * 500) is None


def test_get(directory: SqlDirectory) -> None:
    directory.upsert(_alice())
    account = directory.find("E1001")
    assert account is not None
    assert directory.get(account.id) == account
    assert directory.get(account.id + 1000) is None


def test_verify_password_counts_failures_and_resets_on_success(directory: SqlDirectory, database: Database) -> None:
    directory.upsert(_alice())
    account = directory.find("E1001")
    assert account is not None
    assert not directory.verify_password(account.id, "wrong-password-entirely")
    assert not directory.verify_password(account.id, PASSWORDS[0].upper())
    assert _failed_sign_ins(database, account.id) == 2
    assert directory.verify_password(account.id, PASSWORDS[0])
    assert _failed_sign_ins(database, account.id) == 0


def test_locked_account_never_verifies(directory: SqlDirectory) -> None:
    directory.upsert(_alice())
    account = directory.find("E1001")
    assert account is not None
    directory.set_locked(account.id, True)
    assert directory.get(account.id).locked  # type: ignore[union-attr]
    assert not directory.verify_password(account.id, PASSWORDS[0])
    directory.unlock(account.id)
    assert directory.verify_password(account.id, PASSWORDS[0])


def test_unknown_account_burns_the_same_argon2_time(directory: SqlDirectory, hasher: CountingHasher) -> None:
    assert not directory.verify_password(4242, PASSWORDS[0])
    assert hasher.burns == 1


def test_account_without_password_does_not_verify(directory: SqlDirectory) -> None:
    directory.upsert(_alice(password=None))
    account = directory.find("E1001")
    assert account is not None
    assert not directory.verify_password(account.id, "")
    assert not directory.verify_password(account.id, "anything-at-all-here")


def test_set_password_unlocks_and_replaces(directory: SqlDirectory, database: Database) -> None:
    directory.upsert(_alice())
    account = directory.find("E1001")
    assert account is not None
    directory.set_locked(account.id, True)
    directory.verify_password(account.id, "wrong-password-entirely")
    directory.set_password(account.id, PASSWORDS[1])
    assert not directory.get(account.id).locked  # type: ignore[union-attr]
    assert _failed_sign_ins(database, account.id) == 0
    assert directory.verify_password(account.id, PASSWORDS[1])
    assert not directory.verify_password(account.id, PASSWORDS[0])


def test_history_last_five_counts_the_current_password(directory: SqlDirectory) -> None:
    directory.upsert(_alice(password=PASSWORDS[0]))
    account = directory.find("E1001")
    assert account is not None
    for password in PASSWORDS[1:]:
        directory.set_password(account.id, password)
    # Current is PASSWORDS[5]; the last five are [5], [4], [3], [2], [1]; the sixth-newest is free again.
    for password in PASSWORDS[1:]:
        assert directory.is_recent_password(account.id, password, 5), password
    assert not directory.is_recent_password(account.id, PASSWORDS[0], 5)
    assert directory.is_recent_password(account.id, PASSWORDS[0], 6)
    assert directory.is_recent_password(account.id, PASSWORDS[5], 1)
    assert not directory.is_recent_password(account.id, PASSWORDS[4], 1)
    assert not directory.is_recent_password(account.id, PASSWORDS[5], 0)
    assert not directory.is_recent_password(account.id, "never-used-before-password", 5)


def test_history_is_trimmed(database: Database, hasher: CountingHasher, clock: FakeClock) -> None:
    directory = SqlDirectory(database, hasher, clock, history_limit=3)
    directory.upsert(_alice(password=PASSWORDS[0]))
    account = directory.find("E1001")
    assert account is not None
    for password in PASSWORDS[1:]:
        clock.advance(60)
        directory.set_password(account.id, password)
    assert _history_rows(database) == 3
    assert directory.is_recent_password(account.id, PASSWORDS[2], 10)
    assert not directory.is_recent_password(account.id, PASSWORDS[1], 10)


def test_passwords_are_compared_in_nfkc(directory: SqlDirectory) -> None:
    nfc = unicodedata.normalize("NFC", "Crème brûlée à minuit")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    directory.upsert(_alice(password=None))
    account = directory.find("E1001")
    assert account is not None
    directory.set_password(account.id, nfc)
    assert directory.verify_password(account.id, nfd)
    assert directory.is_recent_password(account.id, nfd, 5)
    directory.set_password(account.id, "ｆｕｌｌｗｉｄｔｈ ｐａｓｓ")
    assert directory.verify_password(account.id, "fullwidth pass")


def test_upsert_creates_then_updates(directory: SqlDirectory, database: Database) -> None:
    assert directory.upsert(_alice()) is True
    assert directory.upsert(_alice(full_name="Alice Jones", email=None, username="ajones")) is False
    account = directory.find("ajones")
    assert account is not None
    assert (account.full_name, account.email, account.phone) == ("Alice Jones", None, "+12025550101")
    assert directory.find("asmith") is None
    # Same password again is not a change; no password keeps the current one.
    assert _history_rows(database) == 0
    directory.upsert(_alice(password=None))
    assert directory.verify_password(account.id, PASSWORDS[0])
    directory.upsert(_alice(password=PASSWORDS[1]))
    assert _history_rows(database) == 1
    assert directory.verify_password(account.id, PASSWORDS[1])


def test_upsert_keeps_keys_unique(directory: SqlDirectory) -> None:
    directory.upsert(_alice())
    with pytest.raises(DirectoryError, match="username"):
        directory.upsert(_alice(employee_id="E1002", username="asmith"))
    with pytest.raises(DirectoryError, match="username"):
        directory.upsert(_alice(employee_id="E1002", username="e1001"))
    with pytest.raises(DirectoryError, match="employee ID"):
        directory.upsert(_alice(employee_id="ASMITH", username=None))
    with pytest.raises(DirectoryError, match="employee_id"):
        directory.upsert(_alice(employee_id="   "))
    assert directory.find("E1002") is None


def test_errors_never_mention_the_password(directory: SqlDirectory) -> None:
    secret = "Sup3r-Secret-Import-Pw"
    directory.upsert(_alice())
    with pytest.raises(DirectoryError) as caught:
        directory.upsert(_alice(employee_id="E1002", password=secret))
    assert secret not in str(caught.value)
    assert secret not in repr(_alice(password=secret))


def test_unknown_account_admin_calls_raise(directory: SqlDirectory) -> None:
    with pytest.raises(DirectoryError):
        directory.set_password(99, PASSWORDS[0])
    with pytest.raises(DirectoryError):
        directory.unlock(99)


def test_find_by_email_proposes_only_a_unique_match(database, clock, settings) -> None:  # type: ignore[no-untyped-def]
    from core.directory.sql import EmployeeRecord, SqlDirectory
    from core.secrets.hashing import SlowHasher

    directory = SqlDirectory(database, SlowHasher(memory_kib=64, time_cost=1, parallelism=1), clock)
    directory.upsert(EmployeeRecord("E1", username="jdoe", email="J.Doe@Example.com"))
    directory.upsert(EmployeeRecord("E2", username="a", email="shared@example.com"))
    directory.upsert(EmployeeRecord("E3", username="b", email="shared@example.com"))
    found = directory.find_by_email(" j.doe@example.COM ")
    assert found is not None and found.username == "jdoe"
    assert directory.find_by_email("shared@example.com") is None
    assert directory.find_by_email("nobody@example.com") is None


# -- an email address or a phone number typed as the identifier (issue 15) ------------------------------


@pytest.mark.parametrize(
    "identifier",
    ["alice@example.com", "Alice@Example.COM", " ALICE@example.com ", "+12025550101", "+1 (202) 555-0101",
     "202 555 0101", "2025550101", "001 202 555 0101"],
)  # fmt: skip
def test_an_email_or_a_phone_number_finds_the_account(directory: SqlDirectory, identifier: str) -> None:
    directory.upsert(_alice(phone="+1 202 555-0101"))  # stored as imported, spaces and all
    directory.upsert(_alice(employee_id="E1002", username="bob", email="bob@example.com", phone="+12025550199"))
    account = directory.find(identifier)
    assert account is not None and account.employee_id == "E1001"


@pytest.mark.parametrize("identifier", ["alice@example.org", "+44 20 2555 0101", "555 0101", "+12025550102"])
def test_a_near_miss_email_or_number_finds_nobody(directory: SqlDirectory, identifier: str) -> None:
    directory.upsert(_alice())
    assert directory.find(identifier) is None


@pytest.mark.parametrize("identifier", ["shared@example.com", "+12025550101"])
def test_an_email_or_number_two_accounts_share_finds_nobody(directory: SqlDirectory, identifier: str) -> None:
    directory.upsert(_alice(email="shared@example.com"))
    directory.upsert(_alice(employee_id="E1002", username="bob", email="Shared@example.com"))
    assert directory.find(identifier) is None
    assert directory.find("E1002") is not None  # the IDs still tell them apart


def test_an_employee_id_or_username_wins_over_someone_elses_contact(directory: SqlDirectory) -> None:
    directory.upsert(_alice(username="alice@example.com", email="other@example.com"))
    directory.upsert(_alice(employee_id="E1002", username="bob", email="alice@example.com", phone=None))
    account = directory.find("alice@example.com")
    assert account is not None and account.employee_id == "E1001"
