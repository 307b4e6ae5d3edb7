"""Demo data: every recovery case is present, loading is idempotent, the sheet prints what to type."""

from __future__ import annotations

from sqlalchemy import func, select

from core.directory.demo import DEMO_EMPLOYEES, format_demo, load_demo_data
from core.directory.sql import SqlDirectory
from core.secrets.answers import AnswerStore
from core.secrets.password_policy import PasswordPolicy
from core.storage import models
from core.storage.db import Database


def _count(database: Database, model: type[models.Base]) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _profile(directory: SqlDirectory, answers: AnswerStore, employee_id: str) -> tuple[bool, bool, int, bool]:
    account = directory.find(employee_id)
    assert account is not None
    return bool(account.email), bool(account.phone), len(answers.enrolled(account.id)), account.locked


def test_every_case_is_covered(directory: SqlDirectory, answers: AnswerStore) -> None:
    employees = load_demo_data(directory, answers)
    profiles = {e.employee_id: _profile(directory, answers, e.employee_id) for e in employees}
    assert (True, True, 3, False) in profiles.values()  # every method
    assert (False, True, 0, False) in profiles.values()  # SMS only
    assert (True, False, 0, False) in profiles.values()  # email only
    assert (False, False, 3, False) in profiles.values()  # questions only
    assert (False, False, 0, False) in profiles.values()  # nothing on file
    assert any(locked and email and phone for email, phone, _, locked in profiles.values())
    assert len({e.case for e in employees}) == len(employees)


def test_demo_credentials_work_and_meet_the_policy(directory: SqlDirectory, answers: AnswerStore) -> None:
    policy = PasswordPolicy()
    for employee in load_demo_data(directory, answers):
        account = directory.find(employee.username)
        assert account is not None and account.employee_id == employee.employee_id
        assert employee.password is not None
        assert policy.check(employee.password, account.personal_words).ok, employee.employee_id
        assert directory.verify_password(account.id, employee.password) is not employee.locked
        if employee.answers:
            assert answers.verify(account.id, dict(employee.answers))


def test_loading_twice_changes_nothing(directory: SqlDirectory, answers: AnswerStore, database: Database) -> None:
    load_demo_data(directory, answers)
    counts = [_count(database, m) for m in (models.Account, models.ChallengeAnswer, models.PasswordHistory)]
    locked = directory.find("E1006")
    assert locked is not None and locked.locked
    directory.unlock(locked.id)
    load_demo_data(directory, answers)
    assert [_count(database, m) for m in (models.Account, models.ChallengeAnswer, models.PasswordHistory)] == counts
    assert counts[2] == 0
    assert directory.get(locked.id).locked  # type: ignore[union-attr]  # back to its demo state


def test_format_demo_lists_what_to_type() -> None:
    text = format_demo(list(DEMO_EMPLOYEES))
    for employee in DEMO_EMPLOYEES:
        assert employee.employee_id in text
        assert employee.case in text
        if employee.password:
            assert employee.password in text
        for _, answer in employee.answers:
            assert answer in text
    assert "What was the name of your first pet?" in text
