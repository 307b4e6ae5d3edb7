"""Challenge questions and the verification lock."""

from __future__ import annotations

import pytest

from core.types import CheckStatus, Method, Requester, SendStatus
from tests.core.conftest import ANSWERS, add_employee
from tests.support import FakeClock

WEB = Requester("web", "visitor-1")


def right_answers(questions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {q.id: ANSWERS[q.id] for q in questions}


def wrong_answers(questions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {q.id: "not it" for q in questions}


def test_two_of_three_enrolled_questions_are_asked_and_stay_the_same(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    questions = core.recovery.questions(handle)
    assert len(questions) == 2 and {q.id for q in questions} <= set(ANSWERS)
    assert core.recovery.questions(handle) == questions


def test_right_answers_verify_after_normalisation(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    questions = core.recovery.questions(handle)
    shouted = {qid: "  " + answer.upper().replace(" ", "   ") + " " for qid, answer in right_answers(questions).items()}
    assert core.recovery.verify_answers(handle, shouted).status is CheckStatus.VERIFIED


def test_one_wrong_answer_fails_the_whole_set(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    questions = core.recovery.questions(handle)
    answers = right_answers(questions)
    answers[questions[0].id] = "wrong"
    result = core.recovery.verify_answers(handle, answers)
    assert result.status is CheckStatus.WRONG and result.tries_left == 9
    assert not core.recovery.options(handle).verified


def test_answers_must_match_the_drawn_questions(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.questions(handle)
    with pytest.raises(ValueError, match="drawn"):
        core.recovery.verify_answers(handle, {"first_car": "x"})


def test_fewer_than_three_enrolled_means_no_questions(core) -> None:
    add_employee(core, answers={"first_pet": "Rex", "birth_city": "Lyon"})
    handle = core.recovery.start("E1001", WEB)
    assert Method.QUESTIONS not in core.recovery.options(handle).methods
    assert core.recovery.questions(handle) == []


def test_ten_failures_lock_verification_for_a_day(core, clock: FakeClock) -> None:
    account_id = add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    questions = core.recovery.questions(handle)
    for _ in range(9):
        assert core.recovery.verify_answers(handle, wrong_answers(questions)).status is CheckStatus.WRONG
    assert core.recovery.verify_answers(handle, wrong_answers(questions)).status is CheckStatus.LOCKED
    # Locked: even the right answers, a fresh recovery, or a code are refused ...
    assert core.recovery.verify_answers(handle, right_answers(questions)).status is CheckStatus.LOCKED
    fresh = core.recovery.start("E1001", Requester("slack", "U1"))
    assert core.recovery.options(fresh).locked
    assert core.recovery.send_code(fresh, Method.EMAIL).status is SendStatus.LOCKED
    # ... but the account itself is not locked: the person can still sign in with their password.
    account = core.directory.get(account_id)
    assert account is not None and not account.locked
    clock.advance(hours=24, seconds=1)
    assert not core.recovery.options(fresh).locked
    assert core.recovery.verify_answers(handle, right_answers(questions)).status is CheckStatus.VERIFIED


def test_failures_count_per_channel_user_across_accounts(core) -> None:
    for employee in ("E1", "E2", "E3"):
        add_employee(core, employee)
    attacker = Requester("telegram", "666")
    for employee in ("E1", "E2"):
        handle = core.recovery.start(employee, attacker)
        questions = core.recovery.questions(handle)
        for _ in range(5):
            core.recovery.verify_answers(handle, wrong_answers(questions))
    assert core.recovery.options(core.recovery.start("E3", attacker)).locked
    # The real owner of E3, on their own channel, is not locked out by someone else's guessing.
    assert not core.recovery.options(core.recovery.start("E3", WEB)).locked


def test_lock_threshold_and_window_are_settings(make_core, clock: FakeClock) -> None:
    core = make_core(verification_max_failures=3, verification_window_seconds=3600)
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    questions = core.recovery.questions(handle)
    statuses = [core.recovery.verify_answers(handle, wrong_answers(questions)).status for _ in range(3)]
    assert statuses == [CheckStatus.WRONG, CheckStatus.WRONG, CheckStatus.LOCKED]
    clock.advance(3601)
    assert not core.recovery.options(handle).locked


def test_questions_asked_and_minimum_enrolled_are_settings(make_core) -> None:
    core = make_core(questions_asked=3, questions_min_enrolled=3)
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert len(core.recovery.questions(handle)) == 3


def test_answers_one_at_a_time_are_judged_only_when_all_are_in(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    first, second = core.recovery.questions(handle)
    assert core.recovery.answer_question(handle, first.id, "wrong") is None  # no verdict, no hint
    result = core.recovery.answer_question(handle, second.id, ANSWERS[second.id])
    assert result is not None and result.status is CheckStatus.WRONG
    assert core.recovery.answer_question(handle, first.id, ANSWERS[first.id]) is None
    result = core.recovery.answer_question(handle, second.id, ANSWERS[second.id])
    assert result is not None and result.status is CheckStatus.VERIFIED
