"""Brute force through the public surfaces: guessing one-time codes, challenge answers and reset-link tokens."""

from __future__ import annotations

import re
import secrets

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import Core
from channels.web.reset_page import COOKIE, FORM_PATH
from core.storage.models import Recovery
from core.types import CheckStatus
from tests.channels.conftest import csrf_of
from tests.conftest import CoreFactory
from tests.core.conftest import ANSWERS, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.attacks import chat_from, handoff_reasons, wrong_code

LOCKED = "too many failed attempts, so self-service is paused"


@pytest.fixture
def core(make_core: CoreFactory) -> Core:
    # The reset page's default per-address limit is an office-sized backstop; these attacks are shown at 60.
    core = make_core(reset_requests_per_minute=60)
    add_employee(core)
    return core


# -- one-time codes --------------------------------------------------------------------------------------------


def test_code_guessing_the_sixth_guess_is_refused_even_when_right(app: Flask, core: Core) -> None:
    chat = chat_from(app, "203.0.113.10")
    chat.say("I forgot my password")
    chat.say("E1001")
    assert "sent a 6-digit code" in chat.say("email")[-1]["text"]
    right = last_outbox_code(core)
    for tries_left in (4, 3, 2, 1):
        assert chat.say(wrong_code(right))[-1]["text"] == (
            f"That code isn't right. You have {tries_left} more {'try' if tries_left == 1 else 'tries'} with this code."
        )
    fifth = chat.say(wrong_code(right))
    assert fifth[0]["text"] == "That code has had too many wrong tries. Let's try again."
    # The sixth try, with the right code, gets nowhere: no link, not verified, and email is not offered again.
    sixth = chat.say(right)
    assert all(m["link"] is None for m in fifth + sixth)
    assert "email" not in [c["value"] for c in sixth[-1]["choices"]]
    assert not core.recovery.options(_handle_of(core, "E1001")).verified


def test_code_guessing_the_failure_count_survives_a_resend(app: Flask, core: Core, clock: FakeClock) -> None:
    chat = chat_from(app, "203.0.113.11")
    for text in ("I forgot my password", "E1001", "email"):
        chat.say(text)
    first = last_outbox_code(core)
    for _ in range(3):
        chat.say(wrong_code(first))
    clock.advance(61)
    assert "sent a 6-digit code" in chat.say("resend")[-1]["text"]
    second = last_outbox_code(core)
    assert chat.say(wrong_code(second))[-1]["text"] == "That code isn't right. You have 1 more try with this code."
    assert chat.say(wrong_code(second))[0]["text"] == "That code has had too many wrong tries. Let's try again."
    replies = chat.say(second)  # the resent code itself, after 5 wrong tries in all
    assert all(m["link"] is None for m in replies)
    assert not core.recovery.options(_handle_of(core, "E1001")).verified


def test_code_guessing_ten_failures_a_day_lock_verification_and_offer_a_person(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    """The attacker spreads guesses over two methods and two chat sessions; the lock is per account."""
    first = chat_from(app, "203.0.113.12")
    for text in ("I forgot my password", "E1001", "email"):
        first.say(text)
    for _ in range(5):
        first.say(wrong_code(last_outbox_code(core)))
    clock.advance(61)
    assert "texted a 6-digit code" in first.say("sms")[-1]["text"]
    for _ in range(4):
        replies = first.say(wrong_code(last_outbox_code(core, "sms")))
    assert "1 more try" in replies[-1]["text"]  # 9 failures so far

    clock.advance(61)
    second = chat_from(app, "203.0.113.13")  # a new session: a new channel user, the same account
    for text in ("I forgot my password", "E1001"):
        second.say(text)
    assert "sent a 6-digit code" in second.say("email")[-1]["text"]
    locked = second.say(wrong_code(last_outbox_code(core)))  # the 10th failure in 24 h
    assert LOCKED in locked[-1]["text"] and re.search(r"ticket RD-[0-9A-Z]{6}", locked[-1]["text"])
    assert handoff_reasons(core) == ["verification_locked"]

    # Any session for that account now goes straight to a person, and no code is sent.
    clock.advance(hours=23)
    third = chat_from(app, "203.0.113.14")
    third.say("I forgot my password")
    assert LOCKED in third.say("E1001")[-1]["text"]
    assert handoff_reasons(core) == ["verification_locked"] * 2
    # A day after the failures, self-service is back.
    clock.advance(hours=1, seconds=1)
    fourth = chat_from(app, "203.0.113.15")
    fourth.say("I forgot my password")
    assert fourth.say("E1001")[-1]["text"] == "How would you like to confirm it's you?"


def test_answer_guessing_ten_failures_a_day_lock_verification_and_offer_a_person(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    chat = chat_from(app, "203.0.113.20")
    for text in ("I forgot my password", "E1001", "questions"):
        chat.say(text)
    for attempt in range(1, 11):
        clock.advance(10)  # under the chat's per-session message rate; a real guesser is no faster
        chat.say("Fido")
        replies = chat.say("Paris")
        if attempt < 10:
            # Never which answer was wrong; the attempts left are told, and the first question is asked again.
            left = 10 - attempt
            assert replies[0]["text"] == (
                "Those answers didn't match what's on file. Let's try again from the first question. "
                f"You have {left} more {'attempt' if left == 1 else 'attempts'} before self-service is paused."
            )
            assert replies[-1]["text"].startswith("Question 1 of 2") and replies[-1]["expects"] == "secret"
    assert LOCKED in replies[-1]["text"] and "ticket RD-" in replies[-1]["text"]
    assert handoff_reasons(core) == ["verification_locked"]

    # Locked means locked: the right answers get nowhere, in the locked recovery or in a new session.
    first_recovery = _handle_of(core, "E1001")
    with core.database.transaction() as session:
        drawn = session.get(Recovery, first_recovery).drawn_questions  # type: ignore[union-attr]
    for question_id in drawn:
        result = core.recovery.answer_question(first_recovery, question_id, ANSWERS[question_id])
        assert result is not None and result.status is CheckStatus.LOCKED
    assert not core.recovery.options(first_recovery).verified
    clock.advance(10)
    other = chat_from(app, "203.0.113.21")
    other.say("I forgot my password")
    assert LOCKED in other.say("E1001")[-1]["text"]
    assert handoff_reasons(core) == ["verification_locked"] * 2


# -- reset-link tokens ---------------------------------------------------------------------------------------------


def test_reset_token_guessing_by_page_is_rate_limited(app: Flask, core: Core, clock: FakeClock) -> None:
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.66"
    statuses = [guesser.get(f"/reset/{secrets.token_urlsafe(32)}").status_code for _ in range(60)]
    assert statuses == [410] * 60  # each guess reached the token check and was wrong
    refused = guesser.get(f"/reset/{secrets.token_urlsafe(32)}")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    # While refused, even a real token is not looked up, so a lucky guess could not be recognised.
    token = _real_token(app, core)
    assert guesser.get(f"/reset/{token}").status_code == 429
    # Someone else (another address) is not affected; the guesser is served again after the window.
    assert app.test_client().get(f"/reset/{token}").status_code == 303  # to the form
    clock.advance(int(refused.headers["Retry-After"]))
    assert guesser.get(f"/reset/{secrets.token_urlsafe(32)}").status_code == 410


def test_reset_session_guessing_by_password_check_is_rate_limited(app: Flask, core: Core) -> None:
    """The live password check (POST /reset/set-password/check) answers 410 without a live reset session: an
    oracle for guessed session cookies, so limited. The token itself is no longer accepted in any POST's URL.
    The guesser holds a genuine CSRF token (from opening their own valid link), so each guess reaches the check."""
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.67"
    page = guesser.get(f"/reset/{_real_token(app, core)}", follow_redirects=True)  # 2 requests: link, form
    csrf = {"X-CSRF-Token": csrf_of(page.get_data(as_text=True))}
    assert guesser.post(f"/reset/{secrets.token_urlsafe(32)}/check", json={"password": "x" * 12}).status_code == 404

    def guess() -> TestResponse:
        guesser.set_cookie(COOKIE, secrets.token_urlsafe(32), path="/reset")
        return guesser.post(FORM_PATH + "/check", json={"password": "x" * 12}, headers=csrf)

    assert [guess().status_code for _ in range(58)] == [410] * 58
    refused = guess()
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


# -- helpers ---------------------------------------------------------------------------------------------------------


def _handle_of(core: Core, identifier: str) -> str:
    """The account's first recovery (what the first chat holds in its slots)."""
    account = core.directory.find(identifier)
    assert account is not None
    with core.database.transaction() as session:
        handle = session.scalars(
            select(Recovery.id).where(Recovery.account_id == account.id).order_by(Recovery.created_at)
        ).first()
    assert handle is not None
    return handle


def _real_token(app: Flask, core: Core) -> str:
    """A genuine reset link, reached by the owner by email code from their own address."""
    owner = chat_from(app, "192.0.2.200")
    for text in ("I forgot my password", "E1001", "email"):
        owner.say(text)
    link = owner.say(last_outbox_code(core))[-1]["link"]
    assert link is not None
    return str(link["url"]).rsplit("/", 1)[-1]
