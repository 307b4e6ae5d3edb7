"""Waiting to resend, as conversations: the code sent a moment ago is still the one to type, "Send again" pressed
early answers with the seconds left (never "didn't get that"), and another method is never held up."""

from __future__ import annotations

from tests.dialogs.conftest import Chat, outbox_count
from tests.dialogs.paths_support import CODE_BY_EMAIL, CODE_BY_SMS, VERIFIED_RESET
from tests.support import FakeClock

PENDING = "I sent you a code a moment ago to e•••@example.com: type it here. You can ask for a new code in {} seconds."


def test_switching_from_email_to_sms_is_not_held_up(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("email")
    chat.say("text me instead")
    assert chat.last.text.startswith(CODE_BY_SMS), chat.text
    chat.say("another way")
    chat.say("email")  # the email was sent a moment ago, but the SMS code replaced it: nothing to type
    assert chat.last.text.startswith("You can ask for a new code in 60 seconds. How would you like"), chat.text
    assert chat.last.wait_seconds == 60
    assert ("Email me a code", "email") in chat.last.choices  # choosing it again is "send again"
    chat.say("sms")
    assert chat.last.text.startswith("I sent you a code a moment ago to the phone ending 01: type it here.")


def test_choosing_the_same_method_again_within_the_spacing_takes_the_code_already_sent(
    chat: Chat, employee: int, clock: FakeClock
) -> None:
    chat.reach_methods()
    chat.say("email")
    code = chat.code()
    sent = outbox_count(chat.core)
    chat.say("another way")
    clock.advance(seconds=12)
    chat.say("email")
    assert chat.last.text == PENDING.format(48)
    assert (chat.last.wait_seconds, chat.last.expects) == (48, "code")
    assert chat.last.choices == (("Send again", "resend"), ("Another way", "another way"))
    assert outbox_count(chat.core) == sent
    chat.say(code)
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_send_again_pressed_early_answers_with_the_seconds_left_and_is_never_not_understood(
    chat: Chat, employee: int, clock: FakeClock
) -> None:
    chat.reach_methods()
    chat.say("email")
    for left in (60, 50, 40, 30, 20):  # more presses than the three misunderstandings that hand off
        chat.say("resend")
        assert chat.text == PENDING.format(left)
        assert chat.last.choices[0] == ("Send again", "resend")
        assert chat.conversation().slots.get("unclear", 0) == 0
        clock.advance(seconds=10)
    assert chat.state == "enter_code"
    clock.advance(seconds=10)
    chat.say("resend")
    assert chat.last.text.startswith(CODE_BY_EMAIL) and chat.last.wait_seconds is None
