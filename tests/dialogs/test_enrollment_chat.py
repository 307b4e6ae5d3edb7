"""In-chat enrollment (issue 16): after a recovery the bot offers a backup way to verify, or asks whether the
methods on file are still the person's; changes need a verification in this conversation at most 10 minutes old.

Transcripts against the real engine, RecoveryService and EnrollmentService (tests/dialogs/conftest.py).
"""

from __future__ import annotations

from core.types import Requester, ResetStatus
from dialogs.replies import Link
from tests.dialogs.conftest import NEW_PASSWORD, Chat, add_employee
from tests.dialogs.paths_support import UNLOCKED, verify
from tests.support import FakeClock
from tests.support.secret_scan import Secrets, find_secrets, stored_places

OFFER = "Add a backup way to verify you, so next time is quicker?"
VERIFY_FIRST = "For your security, please verify again first"
NEW_MOBILE = "+44 7700 900123"
# Answers the person chooses in the chat: none may ever be stored or shown in plain text.
NEW_ANSWERS = ("Quokka Lantern", "Brindlemoor", "Saffron Umbrella")


def email_only(chat: Chat, employee_id: str = "E2001") -> int:
    """An employee with one way to verify (email): after a recovery the bot offers a backup."""
    return add_employee(chat.core, employee_id, phone="", answers={})


def reset_with_email(chat: Chat, employee_id: str = "E2001") -> None:
    """Verify by email, set the new password on the reset page, and say something so the chat notices."""
    chat.reach_methods(employee_id)
    verify(chat, "email")
    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status is ResetStatus.DONE
    chat.say("done")


def unlock_with_email(chat: Chat, employee_id: str = "E2001") -> None:
    chat.reach_methods(employee_id, need="my account is locked")
    verify(chat, "email")
    assert UNLOCKED in chat.text, chat.text


def add_mobile(chat: Chat) -> None:
    """From the offer: add a mobile number and confirm it with the code texted to it."""
    chat.say("Add a mobile number")
    assert "What mobile number should I add?" in chat.text, chat.text
    chat.say(NEW_MOBILE)
    assert "I've sent a 6-digit code to ***0123" in chat.text, chat.text
    assert chat.last.expects == "code"
    chat.say(chat.code("sms"))
    assert "your mobile number is saved" in chat.text, chat.text


def test_after_a_reset_the_bot_offers_a_backup_and_adds_a_phone_the_next_recovery_uses(chat: Chat) -> None:
    email_only(chat)
    reset_with_email(chat)
    assert chat.text.startswith("Your password has been changed."), chat.text
    assert chat.last.text == OFFER
    assert chat.choice_values == ["add mobile", "set questions", "no thanks"]  # the email is the directory's
    chat.say("1")
    chat.say("+44 7700 900123")
    assert chat.state == "enroll_contact_code"
    code = chat.code("sms")
    chat.say("000000" if code != "000000" else "111111")
    assert "That code isn't right. You have 4 more tries" in chat.text, chat.text
    chat.say(code)
    assert "your mobile number is saved" in chat.text
    assert chat.state == "done" and "You're all set" in chat.text  # two ways now: nothing more to offer

    later = Chat(chat.engine, chat.core, user_id="next-week")
    later.reach_methods("E2001")
    assert "sms" in later.choice_values  # the new phone is offered
    later.say("sms")
    assert "I've texted a 6-digit code to the phone ending 23." in later.text, later.text
    later.say(later.code("sms"))
    assert "you're verified" in later.text


def test_setting_questions_in_the_chat_keeps_every_answer_secret(chat: Chat) -> None:
    email_only(chat)
    unlock_with_email(chat)
    assert chat.last.text == OFFER
    chat.say("Set security questions")
    for number, answer in enumerate(NEW_ANSWERS, start=1):
        assert chat.last.text == f"Choose question {number} of 3:", chat.text
        chat.say("1")  # the first question still on the list
        assert chat.last.text.startswith("Your answer to: "), chat.text
        assert chat.last.expects == "secret" and chat.state == "enroll_answer"
        chat.say(answer)
    assert "your security questions are saved" in chat.text, chat.text

    later = Chat(chat.engine, chat.core, user_id="next-week")
    later.reach_methods("E2001")
    assert "questions" in later.choice_values
    later.say("questions")
    pool = chat.core.enrollment.question_pool()  # "1" each time chose the first question left on the list
    later.answer_questions({question.id: answer for question, answer in zip(pool, NEW_ANSWERS, strict=False)})
    assert "you're verified" in later.text, later.text

    secrets = Secrets(answers=set(NEW_ANSWERS))
    assert find_secrets(secrets, stored_places(chat.core)) == []
    for said, replies in chat.history:
        assert all(answer not in reply.text for reply in replies for answer in NEW_ANSWERS), said


def test_answers_the_rules_refuse_are_said_plainly_and_can_be_chosen_again(chat: Chat) -> None:
    email_only(chat)
    unlock_with_email(chat)
    chat.say("set questions")
    for number, answer in enumerate(("same answer", "Same  Answer", "third one"), start=1):
        chat.say(str(number))
        chat.say(answer)
    assert "I couldn't save those answers: Each answer must be different from the others." in chat.text
    assert chat.last.text == "Choose question 1 of 3:" and chat.state == "enroll_pick_question"
    assert chat.core.enrollment.methods(_account(chat, "E2001")).questions is None  # nothing was saved


def test_no_thanks_ends_the_conversation_politely(chat: Chat) -> None:
    email_only(chat)
    reset_with_email(chat)
    chat.say("No thanks")
    assert chat.text == "OK, no problem. Message me any time you need help." and chat.state == "done"
    assert chat.last.choices == ()
    assert "verified_at" not in chat.conversation().slots  # the proof goes with it


def test_no_changes_after_ten_minutes_without_verifying_again(chat: Chat, clock: FakeClock) -> None:
    account = email_only(chat)
    unlock_with_email(chat)
    assert chat.last.text == OFFER
    clock.advance(minutes=10, seconds=1)
    chat.say("Add a mobile number")
    assert VERIFY_FIRST in chat.text and chat.state == "done"
    chat.say("add my phone")  # asking again later, in the same conversation, gets nothing either
    assert VERIFY_FIRST in chat.text
    assert len(chat.core.enrollment.methods(account).contacts) == 1


def test_proof_that_goes_stale_midway_stops_a_change_before_the_code(chat: Chat, clock: FakeClock) -> None:
    account = email_only(chat)
    unlock_with_email(chat)
    chat.say("Add a mobile number")
    chat.say(NEW_MOBILE)
    code = chat.code("sms")
    clock.advance(minutes=11)
    chat.say(code)
    assert VERIFY_FIRST in chat.text
    assert [c.kind.value for c in chat.core.enrollment.methods(account).contacts] == ["email"]


def test_a_conversation_with_no_verification_changes_nothing(chat: Chat) -> None:
    account = email_only(chat)
    chat.say("I want to add a backup phone number")
    assert VERIFY_FIRST in chat.text, chat.text
    assert chat.state == "idle"
    assert chat.core.enrollment.methods(account).count == 1


def test_another_chat_users_verification_is_no_proof(chat: Chat) -> None:
    email_only(chat)
    unlock_with_email(chat)
    stolen = dict(chat.conversation().slots)
    port = chat.core.recovery.enrollment
    assert port.account(stolen["handle"], Requester("web", "user-1"), stolen["verified_at"]) is not None
    assert port.account(stolen["handle"], Requester("web", "someone-else"), stolen["verified_at"]) is None
    assert port.account(stolen["handle"], Requester("web", "user-1"), None) is None


def test_methods_older_than_the_reconfirm_period_are_asked_about(chat: Chat, clock: FakeClock) -> None:
    email_only(chat)
    unlock_with_email(chat)
    add_mobile(chat)  # two ways now, both set by the person
    assert chat.state == "done"

    clock.advance(days=179)
    again = Chat(chat.engine, chat.core, user_id="half-a-year-later")
    unlock_with_email(again)
    assert again.state == "done"  # not yet due: no question

    clock.advance(days=2)
    late = Chat(chat.engine, chat.core, user_id="later-still")
    unlock_with_email(late)
    assert "are these ways to verify you still yours? mobile ***0123, email e***@example.com" in late.text
    assert late.choice_values == ["yes", "no"]
    late.say("Yes, still mine")
    assert "Thanks for confirming." in late.text and late.state == "done"
    assert not chat.core.enrollment.needs_reconfirm(_account(chat, "E2001"))


def test_saying_the_methods_are_not_theirs_offers_to_change_them(chat: Chat, clock: FakeClock) -> None:
    email_only(chat)
    unlock_with_email(chat)
    add_mobile(chat)
    clock.advance(days=181)
    late = Chat(chat.engine, chat.core, user_id="later")
    unlock_with_email(late)
    late.say("No")
    assert late.last.text == "Which would you like to change?"
    labels = [label for label, _ in late.last.choices]
    assert labels == ["Change my mobile number", "Set security questions", "No thanks"]  # email: the directory's


def _account(chat: Chat, employee_id: str) -> int:
    account = chat.core.directory.find(employee_id)
    assert account is not None
    return account.id


def test_a_misunderstood_reply_offers_the_steps_buttons_again(chat: Chat) -> None:
    email_only(chat)
    unlock_with_email(chat)
    chat.say("purple elephant")
    assert "Sorry, I didn't get that." in chat.text and chat.state == "enroll_offer"
    assert chat.choice_values == ["add mobile", "set questions", "no thanks"]


def test_someone_with_nothing_on_file_sets_up_everything_after_support_vouched(chat: Chat) -> None:
    """The issue's "done when": verified once by support, then every way set up in the chat, then used."""
    account = add_employee(chat.core, "E2009", phone="", email="", answers={})
    chat.say("I forgot my password")
    chat.say("E2009")
    assert chat.state == "handoff"  # nothing on file: a person verifies them their own way
    handle = chat.conversation().slots["handle"]
    link = chat.core.recovery.agent_issue_link(handle, agent="sam", reason="checked their badge in person")
    chat.engine.from_support(Requester("web", "user-1"), lambda d: d.agent_sent_link(handle, Link(link.url, "Set")))
    done = chat.core.recovery.complete_reset(link.url.rsplit("/", 1)[-1], NEW_PASSWORD, NEW_PASSWORD)
    assert done.status is ResetStatus.DONE
    chat.say("done")
    assert chat.last.text == OFFER
    add_mobile(chat)
    assert chat.last.text == "Add another way?" and chat.state == "enroll_offer"  # one way is not enough
    chat.say("set questions")
    for answer in NEW_ANSWERS:
        chat.say("1")
        chat.say(answer)
    assert "You're all set" in chat.text and chat.core.enrollment.methods(account).count == 2

    later = Chat(chat.engine, chat.core, user_id="next-time")
    later.reach_methods("E2009")
    assert later.choice_values[:2] == ["sms", "questions"]
