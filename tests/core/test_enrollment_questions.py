"""Choosing and answering questions: each rule, hashing, and recovery using the new answers."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import ChallengeAnswer
from core.types import CheckStatus, Method, Requester
from tests.core.conftest import add_employee

GOOD = {"first_pet": "Biscuit", "birth_city": "Valparaiso", "first_car": "Fiat Panda"}


def fresh(core) -> int:  # type: ignore[no-untyped-def]
    return add_employee(core, full_name="Jordan Example", answers={})


def test_at_least_the_required_number(core) -> None:
    account_id = fresh(core)
    problems = core.enrollment.set_questions(account_id, dict(list(GOOD.items())[:2]))
    assert problems == ("Choose and answer at least 3 questions.",)
    assert core.enrollment.questions_required == 3


def test_unknown_question_ids_are_refused(core) -> None:
    account_id = fresh(core)
    assert core.enrollment.set_questions(account_id, {**GOOD, "favourite_colour": "Blue"}) == (
        "Choose the questions from the list.",
    )


def test_answers_of_fewer_than_three_characters_are_refused(core) -> None:
    account_id = fresh(core)
    problems = core.enrollment.set_questions(account_id, {**GOOD, "first_pet": "  Bo "})
    assert problems == ("The answer to “What was the name of your first pet?” must be at least 3 characters.",)


def test_two_answers_the_same_as_compared_are_refused(core) -> None:
    account_id = fresh(core)
    problems = core.enrollment.set_questions(account_id, {**GOOD, "first_car": "  BISCUIT  "})
    assert problems == ("Each answer must be different from the others.",)


def test_answers_containing_name_username_or_employee_id_are_refused(core) -> None:
    account_id = fresh(core)
    for answer in ("jordan's dog", "e1001user", "E1001 street", "The Examples"):
        problems = core.enrollment.set_questions(account_id, {**GOOD, "birth_city": answer})
        assert problems == (
            "The answer to “In what city were you born?” must not contain your name, username or employee ID.",
        ), answer


def test_saved_answers_are_hashed_dated_and_used_by_recovery(core) -> None:
    account_id = fresh(core)
    assert core.enrollment.set_questions(account_id, GOOD) == ()
    with core.database.transaction() as session:
        rows = session.scalars(select(ChallengeAnswer).where(ChallengeAnswer.account_id == account_id)).all()
    assert sorted(r.question_id for r in rows) == sorted(GOOD)
    assert all(r.answer_hash.startswith("$argon2id$") and r.enrolled_at == core.clock.now() for r in rows)
    assert core.enrollment.methods(account_id).questions.count == 3

    handle = core.recovery.start("E1001", Requester("web", "later"))
    assert Method.QUESTIONS in core.recovery.options(handle).methods
    asked = core.recovery.questions(handle)
    result = core.recovery.verify_answers(handle, {q.id: GOOD[q.id].upper() for q in asked})
    assert result.status is CheckStatus.VERIFIED


def test_the_pool_is_the_recovery_pool(core) -> None:
    from core.secrets.questions import QUESTION_POOL

    assert core.enrollment.question_pool() == QUESTION_POOL
