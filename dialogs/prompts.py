"""Everything the recovery conversation says, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from core.types import HandoffReason, Method, SendStatus
from dialogs.states import State

__all__ = [
    "CODE_SENT",
    "DESTINATION",
    "ENROLL_LABELS",
    "HANDOFF_REASON",
    "HELP",
    "METHOD_LABELS",
    "TEXT",
    "Buttons",
    "Choice",
    "Choices",
    "lock_ends_text",
    "send_refused_text",
]


class Choice:
    """The value each button sends (typing it works too). Method buttons send the Method's value."""

    RESET: Final = "reset"
    UNLOCK: Final = "unlock"
    OTHER: Final = "other"
    AGENT: Final = "agent"
    NONE: Final = "none"
    YES: Final = "yes"
    NO: Final = "no"
    RESEND: Final = "resend"
    ANOTHER_WAY: Final = "another way"
    NEW_LINK: Final = "new link"
    ADD_MOBILE: Final = "add mobile"  # enrollment (dialogs/enrollment.py)
    ADD_EMAIL: Final = "add email"
    SET_QUESTIONS: Final = "set questions"
    NO_THANKS: Final = "no thanks"
    RESTART: Final = "restart"


Choices = tuple[tuple[str, str], ...]


class Buttons:
    """The (label, value) buttons the dialog offers, by where it offers them."""

    NEED: Final[Choices] = (
        ("Reset my password", Choice.RESET),
        ("Unlock my account", Choice.UNLOCK),
        ("Something else", Choice.OTHER),
        ("Talk to a person", Choice.AGENT),
    )
    HINT: Final[Choices] = (("Yes", Choice.YES), ("No, another account", Choice.NO))
    YES_NO: Final[Choices] = (("Yes", Choice.YES), ("No", Choice.NO))  # what an answer to HINT is matched against
    CODE: Final[Choices] = (("Resend the code", Choice.RESEND), ("Another way", Choice.ANOTHER_WAY))
    # With a reply's wait_seconds: "Send again" comes first, and the web chat shows it once the wait is over.
    WAIT: Final[Choices] = (("Send again", Choice.RESEND), ("Another way", Choice.ANOTHER_WAY))
    AWAITING: Final[Choices] = (("Send a new link", Choice.NEW_LINK),)
    GET_LINK: Final[Choices] = (("Get a new link", Choice.NEW_LINK),)  # in place of a link history won't show
    NONE: Final = ("I can't use any of these", Choice.NONE)  # after the method buttons
    NO_THANKS: Final = ("No thanks", Choice.NO_THANKS)  # after the enrollment buttons
    RECONFIRM: Final[Choices] = (("Yes, still mine", Choice.YES), ("No", Choice.NO))
    CONTACT_CODE: Final[Choices] = (("Send a new code", Choice.RESEND), ("No thanks", Choice.NO_THANKS))
    START_OVER_OR_AGENT: Final[Choices] = (("Start over", Choice.RESTART), ("Talk to a person", Choice.AGENT))


# Enrollment buttons: to add a way (or change it, once the person said those on file are not theirs).
ENROLL_LABELS: dict[str, tuple[str, str]] = {
    Choice.ADD_MOBILE: ("Add a mobile number", "Change my mobile number"),
    Choice.ADD_EMAIL: ("Add an email", "Change my email"),
    Choice.SET_QUESTIONS: ("Set security questions", "Set new security questions"),
}


METHOD_LABELS = {
    Method.SMS: "Text me a code (SMS)",
    Method.EMAIL: "Email me a code",
    Method.QUESTIONS: "Answer my security questions",
}

TEXT: dict[str, str] = {
    "greeting": "Hi, I'm ResetDesk. I can help you get back into the employee portal.",
    "need_again": "What do you need?",
    "other": "I can only reset passwords and unlock accounts. For anything else, a person from IT support can help.",
    "identify": "What is your employee ID or username?",
    "identify_hint": "Is this about your account {hint}?",
    "identify_again": "I couldn't read that. Please type your employee ID (like E1234) or your username.",
    "choose": "How would you like to confirm it's you?",
    "choose_next": "One more step: please answer your security questions.",
    "code_malformed": "That doesn't look like a {digits}-digit code. Type just the digits (spaces are fine).",
    "code_wrong": "That code isn't right. You have {tries} more {tries_word} with this code.",
    "code_expired": 'That code has expired or was replaced. Say "resend" for a new one, or "another way".',
    "code_used_up": "That code has had too many wrong tries. Let's try again.",
    "too_soon": "You can ask for a new code in {seconds} seconds.",
    "code_pending": "I sent you a code a moment ago {where}: type it here. "
    "You can ask for a new code in {seconds} seconds.",
    "rate_limited": "Too many codes were sent for this account recently. Try again in {minutes} minutes, "
    "or choose another way.",
    "method_unavailable": 'Sorry, I can\'t use that way. Please choose another way, or say "agent" for IT support.',
    "provider_down": "Sorry, I can't send that right now. Please choose another way.",
    "question": "Question {number} of {total}: {text}",
    "answers_wrong": "Those answers didn't match what's on file. Let's try again from the first question.",
    "attempts_left": "You have {tries} more {tries_word} before self-service is paused.",
    "verified_reset": "Thanks, you're verified. Open this secure link to choose a new password. "
    "It works once and expires in {minutes} minutes. I'll confirm here when it's done.",
    "link_label": "Set a new password",
    "link_limit": "I can't send more links for this check. Say \"restart\" to confirm it's you again, "
    'or "agent" to talk to IT support.',
    "awaiting": 'Waiting for you to set your new password on the secure page. Say "new link" if it expired.',
    "reset_done": "Your password has been changed. You can sign in to the employee portal now. "
    "Anything else I can help with?",
    "unlocked": "Your account is unlocked. You can sign in to the employee portal now. Anything else?",
    "handoff": "I've passed you to IT support: ticket {reference}, you're number {position} in the queue. "
    "A person will reply right here; you won't need to repeat yourself.",
    "handoff_waiting": "Your ticket {reference} is open; a person from IT support will reply here. "
    'Say "restart" to go back to the bot.',
    "handoff_wait": "Expected wait: about {minutes} minutes.",
    "handoff_closed": "Support is closed right now and opens {when}. Your ticket stays open and a person will "
    "reply here then.",
    "handoff_ack": "Thanks, IT support will see this on your ticket {reference}.",
    "lock_ends": "It starts again {when}.",
    "handoff_added": "Thanks, I've added that to your ticket {reference}. A person from IT support will reply here. "
    'Say "restart" to go back to the bot.',
    "support_closed": "IT support has closed your ticket. If you still need help, just send a message.",
    "back_with_bot": "IT support has handed you back to me.",
    "agent_link": "IT support has sent you a secure link to choose a new password. It works once and expires in "
    "{minutes} minutes. I'll confirm here when it's done.",
    "agent_label": "IT support",
    "cancelled": "OK, I've stopped. Nothing was changed. Message me any time you need help.",
    "restarted": "Let's start over.",
    "expired_session": "It's been a while since your last message, so we're starting over.",
    "not_understood": "Sorry, I didn't get that.",
    "busy": "I'm still working on your previous message. Please send that again in a moment.",
    "commands": 'You can say "cancel", "restart" or "agent" at any time.',
    # enrollment right after a verification (dialogs/enrollment.py)
    "reset_done_short": "Your password has been changed. You can sign in to the employee portal now.",
    "unlocked_short": "Your account is unlocked. You can sign in to the employee portal now.",
    "enroll_offer": "Add a backup way to verify you, so next time is quicker?",
    "enroll_change": "Which would you like to change?",
    "enroll_more": "Add another way?",
    "enroll_reconfirm": "It's been a while: are these ways to verify you still yours? {methods}.",
    "enroll_reconfirmed": "Thanks for confirming.",
    "enroll_all_set": "You're all set. Anything else I can help with?",
    "enroll_no_thanks": "OK, no problem. Message me any time you need help.",
    "enroll_ask_sms": "What mobile number should I add? Include the country code, like +44 7700 900123.",
    "enroll_ask_email": "What email address should I add?",
    "enroll_code_sent": "I've sent a {digits}-digit code to {to}. Type it here to confirm it's yours. "
    "It expires in {minutes} minutes.",
    "enroll_code_expired": 'That code has expired. Say "send a new code", or "no thanks".',
    "enroll_code_used_up": "That code has had too many wrong tries, so I haven't saved it.",
    "enroll_contact_saved": "Thanks, your {kind} is saved. Next time I can use it to verify you.",
    "enroll_pick_question": "Choose question {number} of {total}:",
    "enroll_answer": "Your answer to: {text} (at least 3 characters; only you should know it)",
    "enroll_questions_saved": "Thanks, your security questions are saved.",
    "enroll_questions_problems": "I couldn't save those answers: {problems} Let's choose again.",
    "verify_first": "For your security, please verify again first: I can only change how you verify right "
    "after you've confirmed it's you. Nothing was changed. Say \"reset my password\" to start.",
    "hello_again": "Hello again.",
    "identify_name": "I can't look people up by name. Please type your employee ID (like E1234), your username "
    "or your work email.",
    "code_need_first": "If you have a code from me, first tell me what you need; then choose the way you got "
    "the code and I'll send a fresh one.",
    "code_choose_first": "If you have a code from me, choose the way you got it first, then type the code.",
}

# {where} is DESTINATION's wording: an unknown identifier gets a decoy of the same shape, so nothing is revealed.
CODE_SENT: dict[Method, str] = {
    Method.EMAIL: "I've sent a {digits}-digit code {where}. Type the code here. It expires in {minutes} minutes.",
    Method.SMS: "I've texted a {digits}-digit code {where}. Type the code here. It expires in {minutes} minutes.",
}
DESTINATION: dict[Method, str] = {Method.EMAIL: "to {to}", Method.SMS: "to the phone ending {to}"}

HANDOFF_REASON: dict[HandoffReason, str] = {
    HandoffReason.NO_METHOD: "I can't verify you with anything on file for this account.",
    HandoffReason.PROVIDER_DOWN: "None of the ways to send you a code is working right now.",
    HandoffReason.VERIFICATION_LOCKED: "There have been too many failed attempts, so self-service is paused.",
    HandoffReason.NOT_UNDERSTOOD: "I'm having trouble understanding.",
    HandoffReason.DIRECTORY_DOWN: "I can't reach the company directory right now (directory unavailable).",
    HandoffReason.ASKED: "",
    HandoffReason.METHODS_UNUSABLE: "OK, none of those ways works for you.",
}

HELP: dict[State, str] = {
    State.IDLE: 'Tell me what you need: "reset my password", "unlock my account", or "talk to a person".',
    State.NEED: 'Pick one of the options, or type "reset", "unlock" or "agent".',
    State.IDENTIFY: "Type your employee ID or username. I'll never ask for your password.",
    State.CHOOSE_METHOD: "Pick how to confirm it's you. If none works for you, choose \"I can't use any of these\".",
    State.ENTER_CODE: 'Type the code we sent you. Say "resend" for a new code or "another way" to switch.',
    State.ANSWER_QUESTIONS: 'Type the answer to the question. Say "another way" to choose a different method.',
    State.AWAITING_RESET: 'Open the secure link to choose your new password. Say "new link" if it expired.',
    State.HANDOFF: 'A person from IT support will reply here. Say "restart" to go back to the bot.',
    State.DONE: 'Tell me if there\'s anything else: "reset my password" or "unlock my account".',
    State.ENROLL_RECONFIRM: 'Say "yes" if these are still yours, or "no" to change them.',
    State.ENROLL_OFFER: 'Pick a way to add, or say "no thanks".',
    State.ENROLL_CONTACT: 'Type the mobile number or email to add, or say "no thanks".',
    State.ENROLL_CONTACT_CODE: 'Type the code I just sent. Say "send a new code" or "no thanks".',
    State.ENROLL_PICK_QUESTION: "Pick a question from the list (its number works too).",
    State.ENROLL_ANSWER: "Type your answer to the question. It is stored hashed and never shown again.",
}


def send_refused_text(status: SendStatus, retry_after: int) -> str:
    """Why a code was not sent, and when to ask again."""
    if status is SendStatus.TOO_SOON:
        return TEXT["too_soon"].format(seconds=retry_after)
    if status is SendStatus.RATE_LIMITED:
        return TEXT["rate_limited"].format(minutes=max(1, -(-retry_after // 60)))
    return TEXT["provider_down"]


def lock_ends_text(seconds: int, until: datetime) -> str:
    """When paused self-service starts again: "in 15 minutes (at 14:32 UTC)" (the clock is UTC)."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        span = f"in {minutes} {'minute' if minutes == 1 else 'minutes'}"
    else:
        span = f"in about {round(minutes / 60)} hours"
    at = until.strftime("%H:%M UTC" if minutes < 12 * 60 else "%a %H:%M UTC")
    return TEXT["lock_ends"].format(when=f"{span} (at {at})")
