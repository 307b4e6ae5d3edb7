"""At the verification steps: what counts as an answer rather than a command, what stays redacted after an
expired code, and what a lock found on choosing questions does. (Each was once broken; found in a code review.)"""

from __future__ import annotations

from core.types import Requester
from tests.dialogs.conftest import Chat


def test_an_answer_containing_the_word_agent_is_judged_as_an_answer(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    chat.say("Secret agent")
    assert chat.ticket() is None and chat.state == "answer_questions"


def test_a_plain_request_for_a_person_still_works_at_a_question(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    chat.say("can I talk to a human")
    assert chat.ticket() is not None


def test_a_code_typed_after_the_expired_reply_is_still_redacted(chat: Chat, employee: int, clock) -> None:  # type: ignore[no-untyped-def]
    chat.reach_methods()
    chat.say("email")
    code = chat.code()
    clock.advance(minutes=10)
    chat.say(code)  # expired
    dotted = f"{code[:3]}.{code[3:]}"
    chat.say(dotted)
    said = [e["text"] for e in chat.conversation().transcript if e["from"] == "person"]
    assert code not in repr(said) and dotted not in repr(said)
    assert chat.last.expects == "code"


def test_choosing_questions_after_the_account_got_locked_hands_off(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    # Meanwhile someone else fails verification for this account ten times.
    other = chat.core.recovery.start("E1001", Requester("slack", "U-attacker"))
    questions = chat.core.recovery.questions(other)
    for _ in range(10):
        chat.core.recovery.verify_answers(other, {q.id: "wrong" for q in questions})
    chat.say("questions")
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "verification_locked"
