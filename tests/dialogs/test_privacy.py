"""What the conversation must never give away: whether an employee exists, a code or an answer (in a reply
or in the transcript support receives)."""

from __future__ import annotations

import re

import pytest

from bot.messages import Reply
from core.secrets.questions import QUESTION_POOL
from tests.dialogs.conftest import ANSWERS, Chat, ChatFactory, add_employee, answer_for
from tests.support import FakeClock

_QUESTION = re.compile(r"^(Question \d of \d: )(.+)$")
_TICKET = re.compile(r"ticket RD-[0-9A-Z]{6}, you're number \d+")
_WAIT = re.compile(r"about \d+ minutes")
# Where a code went: a masked address (one letter, then the company's domain) or a phone's last two digits.
_TO_EMAIL = re.compile(r"to [a-z0-9]•••@example\.com\b")
_TO_PHONE = re.compile(r"to the phone ending \d\d\b")
_POOL_TEXTS = {q.text for q in QUESTION_POOL}


def seen(replies: list[Reply]) -> list[tuple[str, tuple[tuple[str, str], ...], str, bool]]:
    """What a person sees of the replies: text, buttons, input kind, whether there is a link.

    Which questions are drawn is random for everyone, so a question's wording is replaced by a marker
    (after checking it comes from the shared pool); so are a ticket's random reference and queue place, and the
    masked destination's letter and digits (only its shape must match: a decoy's are drawn from a keyed hash).
    Everything else must match exactly."""
    out = []
    for reply in replies:
        text = reply.text
        if match := _QUESTION.match(text):
            assert match.group(2) in _POOL_TEXTS
            text = match.group(1) + "<a question from the pool>"
        text = _TICKET.sub("ticket <reference>", text)
        text = _WAIT.sub("about <n> minutes", text)  # the queue's length, not who exists
        text = _TO_PHONE.sub("to the phone ending <nn>", _TO_EMAIL.sub("to <x>•••@example.com", text))
        out.append((text, reply.choices, reply.expects, reply.link is not None))
    return out


# Everything an attacker can do with an ID, short of knowing a code or an answer.
SCRIPT = [
    "email",
    "000000",
    "12 34 56",
    "1234",
    "resend",  # too soon
    "+61s",
    "resend",
    "000000",
    "another way",
    "+61s",
    "sms",
    "999999",
    "another way",
    "questions",
    "Rex",
    "Paris",
    "Fluffy",
    "help",
    "another way",
    "purple",
    "restart",
]


@pytest.mark.parametrize("need", ["I forgot my password", "I'm locked out"])
@pytest.mark.parametrize(("known", "unknown"), [("E1001", "E9999"), ("e1001user", "j.doe")])
def test_an_unknown_employee_gets_exactly_the_replies_a_known_one_gets(
    make_chat: ChatFactory, clock: FakeClock, need: str, known: str, unknown: str
) -> None:
    real = make_chat(user_id="real-person")
    probe = make_chat(user_id="prober")
    add_employee(real.core, "E1001")  # SMS, email and three answers on file

    for line in [need, known, *SCRIPT]:
        if line == "+61s":
            clock.advance(seconds=61)
            continue
        said_to_real = seen(real.say(line))
        said_to_probe = seen(probe.say(unknown if line == known else line))
        assert said_to_probe == said_to_real, f"after {line!r}"
    assert real.state == probe.state == "need"


def test_the_wrong_code_countdown_and_the_lock_look_the_same(make_chat: ChatFactory, clock: FakeClock) -> None:
    real = make_chat(user_id="real-person")
    probe = make_chat(user_id="prober")
    add_employee(real.core, "E1001")
    for chat, who in ((real, "E1001"), (probe, "E9999")):
        chat.reach_methods(who)
    for method in ("email", "sms"):
        assert seen(real.say(method)) == seen(probe.say(method))
        for _ in range(5):
            assert seen(real.say("000000")) == seen(probe.say("000000"))
        if method == "email":
            assert seen(real.say("another way")) == seen(probe.say("another way"))
            clock.advance(seconds=61)
    assert "too many failed attempts" in real.text  # ten failures lock both alike


def test_the_questions_asked_over_several_recoveries_do_not_reveal_who_exists(make_chat: ChatFactory) -> None:
    real = make_chat(user_id="real-person")
    probe = make_chat(user_id="prober")
    add_employee(real.core, "E1001")
    asked: dict[str, set[str]] = {"E1001": set(), "E9999": set()}
    # Each side has 3 questions, one drawn first at random: 40 rounds show all 3 but for a chance of 3·(2/3)^40,
    # about 2e-7 (12 rounds missed one about 2% of the time, and failed a CI run).
    for _ in range(40):
        for chat, who in ((real, "E1001"), (probe, "E9999")):
            chat.say("restart")
            chat.say("reset")
            chat.say(who)
            chat.say("questions")
            asked[who].add(chat.last.text.split(": ", 1)[1])
            chat.say("another way")  # leave without answering: no failure is counted
    assert len(asked["E1001"]) == len(asked["E9999"])


# -- never echoed, never stored ---------------------------------------------------------------------------


def test_the_bot_never_repeats_a_code_or_an_answer(chat: Chat, employee: int, clock: FakeClock) -> None:
    typed: list[str] = []

    def secret(text: str) -> None:
        typed.append(text)
        chat.say(text)

    chat.reach_methods()
    chat.say("email")
    first = chat.code()
    secret("135 791")
    clock.advance(seconds=61)
    chat.say("resend")
    secret(first)  # the replaced code
    chat.say("another way")
    chat.say("questions")
    secret("Wrong Pet Name")
    secret("Wrong City Name")
    for _ in range(2):
        secret(answer_for(chat.last.text))
    assert chat.last.text.startswith("Thanks, you're verified.")

    everything = chat.all_bot_text().casefold()
    for text in [*typed, first, chat.code(), *ANSWERS.values()]:
        assert text.casefold() not in everything
        assert text.replace(" ", "") not in everything.replace(" ", "")


def test_the_transcript_handed_to_support_has_codes_and_answers_redacted(
    chat: Chat, employee: int, clock: FakeClock
) -> None:
    chat.reach_methods()
    chat.say("email")
    first = chat.code()
    chat.say("246-802")  # a wrong code
    clock.advance(seconds=61)
    chat.say("resend")
    chat.say(first)  # the replaced code
    chat.say("another way")
    chat.say("questions")
    right = answer_for(chat.last.text)
    chat.say(right)
    chat.say("Wrong City Name")
    chat.say("I need a human")

    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "asked"
    said = [entry["text"] for entry in ticket.transcript if entry["from"] == "person"]
    assert said == [
        "I forgot my password",
        "E1001",  # IDs are kept: support needs them
        "email",
        "[redacted]",
        "resend",  # no digit in it: typed at the code prompt, but it cannot be a code
        "[redacted]",
        "another way",  # likewise
        "questions",
        "[redacted]",
        "[redacted]",
        "[redacted]",  # "I need a human", typed at a question prompt
    ]
    bot_said = [entry["text"] for entry in ticket.transcript if entry["from"] == "bot"]
    assert any("How would you like to confirm it's you?" in text for text in bot_said)  # support sees context

    stored = repr(ticket.transcript) + repr(chat.conversation().transcript)
    for text in (first, chat.code(), "246-802", "246802", right, "Wrong City Name"):
        assert text not in stored


def test_a_code_pasted_anywhere_else_is_masked_in_the_transcript(chat: Chat, employee: int) -> None:
    chat.say("hi, my code is 482 913, what now?")
    said = [entry["text"] for entry in chat.conversation().transcript if entry["from"] == "person"]
    assert said == ["hi, my code is [redacted], what now?"]


def test_the_reset_link_is_kept_out_of_the_transcript(chat: Chat, employee: int) -> None:
    chat.verify_by_email()
    token = chat.reset_token()
    chat.say("agent")
    ticket = chat.ticket()
    assert ticket is not None
    stored = repr(ticket.transcript) + repr(chat.conversation().transcript)
    assert token not in stored
    assert "[Set a new password]" in stored  # the link is noted by its label


@pytest.mark.parametrize("method", ["sms", "email"])
def test_the_code_reply_says_where_the_code_went_only_masked(chat: Chat, employee: int, method: str) -> None:
    chat.reach_methods()
    chat.say(method)
    assert "e1001@" not in chat.text
    assert "5555" not in chat.text
    assert ("to e•••@example.com" if method == "email" else "to the phone ending 01") in chat.text
