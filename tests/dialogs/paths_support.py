"""What the path tests share: the bot's words they wait for, and verifying by one method."""

from __future__ import annotations

from tests.dialogs.conftest import Chat

__all__ = ["CODE_BY_EMAIL", "CODE_BY_SMS", "CODE_METHODS", "HANDOFF", "UNLOCKED", "VERIFIED_RESET", "verify"]

VERIFIED_RESET = "Thanks, you're verified. Open this secure link to choose a new password."
UNLOCKED = "Your account is unlocked. You can sign in to the employee portal now."
# add_employee's contacts, masked: e1001@example.com and +15555550101
CODE_BY_EMAIL = "I've sent a 6-digit code to e•••@example.com."
CODE_BY_SMS = "I've texted a 6-digit code to the phone ending 01."
HANDOFF = "I've passed you to IT support: ticket RD-"

# method as typed -> (what the bot says when the code is sent, outbox kind)
CODE_METHODS = {"email": (CODE_BY_EMAIL, "email"), "sms": (CODE_BY_SMS, "sms")}


def verify(chat: Chat, method: str) -> None:
    """From the choice of method to verified, by `method` ("email", "sms" or "questions")."""
    chat.say(method)
    if method == "questions":
        assert chat.last.text.startswith("Question 1 of 2: "), chat.text
        assert chat.last.expects == "secret"
        chat.answer_questions()
    else:
        sent, kind = CODE_METHODS[method]
        assert chat.last.text.startswith(sent), chat.text
        assert chat.last.expects == "code"
        chat.say(chat.code(kind))
