"""Everything the recovery conversation says, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from core.i18n import N_, Translated, gettext, ngettext, weekday
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
    "attempts_left_text",
    "code_wrong_text",
    "labels",
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
        (N_("Reset my password"), Choice.RESET),
        (N_("Unlock my account"), Choice.UNLOCK),
        (N_("Something else"), Choice.OTHER),
        (N_("Talk to a person"), Choice.AGENT),
    )
    HINT: Final[Choices] = ((N_("Yes"), Choice.YES), (N_("No, another account"), Choice.NO))
    YES_NO: Final[Choices] = (
        (N_("Yes"), Choice.YES),
        (N_("No"), Choice.NO),
    )  # what an answer to HINT is matched against
    CODE: Final[Choices] = ((N_("Resend the code"), Choice.RESEND), (N_("Another way"), Choice.ANOTHER_WAY))
    # With a reply's wait_seconds: "Send again" comes first, and the web chat shows it once the wait is over.
    WAIT: Final[Choices] = ((N_("Send again"), Choice.RESEND), (N_("Another way"), Choice.ANOTHER_WAY))
    AWAITING: Final[Choices] = ((N_("Send a new link"), Choice.NEW_LINK),)
    GET_LINK: Final[Choices] = ((N_("Get a new link"), Choice.NEW_LINK),)  # in place of a link history won't show
    NONE: Final = (N_("I can't use any of these"), Choice.NONE)  # after the method buttons
    NO_THANKS: Final = (N_("No thanks"), Choice.NO_THANKS)  # after the enrollment buttons
    RECONFIRM: Final[Choices] = ((N_("Yes, still mine"), Choice.YES), (N_("No"), Choice.NO))
    CONTACT_CODE: Final[Choices] = ((N_("Send a new code"), Choice.RESEND), (N_("No thanks"), Choice.NO_THANKS))
    START_OVER_OR_AGENT: Final[Choices] = ((N_("Start over"), Choice.RESTART), (N_("Talk to a person"), Choice.AGENT))


# Enrollment buttons: to add a way (or change it, once the person said those on file are not theirs).
ENROLL_LABELS: dict[str, tuple[str, str]] = {
    Choice.ADD_MOBILE: (N_("Add a mobile number"), N_("Change my mobile number")),
    Choice.ADD_EMAIL: (N_("Add an email"), N_("Change my email")),
    Choice.SET_QUESTIONS: (N_("Set security questions"), N_("Set new security questions")),
}


METHOD_LABELS: dict[Method, str] = {  # msgids, like the button labels: translated when said
    Method.SMS: N_("Text me a code (SMS)"),
    Method.EMAIL: N_("Email me a code"),
    Method.QUESTIONS: N_("Answer my security questions"),
}

TEXT: Translated[str] = Translated(
    {
        "greeting": N_("Hi, I'm ResetDesk. I can help you get back into the employee portal."),
        "need_again": N_("What do you need?"),
        "other": N_(
            "I can only reset passwords and unlock accounts. For anything else, a person from IT support can help."
        ),
        "identify": N_("What is your employee ID or username?"),
        "identify_hint": N_("Is this about your account {hint}?"),
        "identify_again": N_("I couldn't read that. Please type your employee ID (like E1234) or your username."),
        "choose": N_("How would you like to confirm it's you?"),
        "choose_next": N_("One more step: please answer your security questions."),
        "code_malformed": N_("That doesn't look like a {digits}-digit code. Type just the digits (spaces are fine)."),
        "code_expired": N_('That code has expired or was replaced. Say "resend" for a new one, or "another way".'),
        "code_used_up": N_("That code has had too many wrong tries. Let's try again."),
        "too_soon": N_("You can ask for a new code in {seconds} seconds."),
        "code_pending": N_(
            "I sent you a code a moment ago {where}: type it here. You can ask for a new code in {seconds} seconds."
        ),
        "rate_limited": N_(
            "Too many codes were sent for this account recently. Try again in {minutes} minutes, or choose another way."
        ),
        "method_unavailable": N_(
            'Sorry, I can\'t use that way. Please choose another way, or say "agent" for IT support.'
        ),
        "provider_down": N_("Sorry, I can't send that right now. Please choose another way."),
        "question": N_("Question {number} of {total}: {text}"),
        "answers_wrong": N_("Those answers didn't match what's on file. Let's try again from the first question."),
        "verified_reset": N_(
            "Thanks, you're verified. Open this secure link to choose a new password. "
            "It works once and expires in {minutes} minutes. I'll confirm here when it's done."
        ),
        "link_label": N_("Set a new password"),
        "link_limit": N_(
            "I can't send more links for this check. Say \"restart\" to confirm it's you again, "
            'or "agent" to talk to IT support.'
        ),
        "awaiting": N_('Waiting for you to set your new password on the secure page. Say "new link" if it expired.'),
        "reset_done": N_(
            "Your password has been changed. You can sign in to the employee portal now. Anything else I can help with?"
        ),
        "unlocked": N_("Your account is unlocked. You can sign in to the employee portal now. Anything else?"),
        "handoff": N_(
            "I've passed you to IT support: ticket {reference}, you're number {position} in the queue. "
            "A person will reply right here; you won't need to repeat yourself."
        ),
        "handoff_waiting": N_(
            "Your ticket {reference} is open; a person from IT support will reply here. "
            'Say "restart" to go back to the bot.'
        ),
        "handoff_wait": N_("Expected wait: about {minutes} minutes."),
        "handoff_closed": N_(
            "Support is closed right now and opens {when}. Your ticket stays open and a person will reply here then."
        ),
        "handoff_ack": N_("Thanks, IT support will see this on your ticket {reference}."),
        "lock_ends": N_("It starts again {when}."),
        "handoff_added": N_(
            "Thanks, I've added that to your ticket {reference}. A person from IT support will reply here. "
            'Say "restart" to go back to the bot.'
        ),
        "support_closed": N_("IT support has closed your ticket. If you still need help, just send a message."),
        "back_with_bot": N_("IT support has handed you back to me."),
        "agent_link": N_(
            "IT support has sent you a secure link to choose a new password. It works once and expires in "
            "{minutes} minutes. I'll confirm here when it's done."
        ),
        "agent_label": N_("IT support"),
        "cancelled": N_("OK, I've stopped. Nothing was changed. Message me any time you need help."),
        "restarted": N_("Let's start over."),
        "expired_session": N_("It's been a while since your last message, so we're starting over."),
        "not_understood": N_("Sorry, I didn't get that."),
        "busy": N_("I'm still working on your previous message. Please send that again in a moment."),
        "commands": N_('You can say "cancel", "restart" or "agent" at any time.'),
        # enrollment right after a verification (dialogs/enrollment.py)
        "reset_done_short": N_("Your password has been changed. You can sign in to the employee portal now."),
        "unlocked_short": N_("Your account is unlocked. You can sign in to the employee portal now."),
        "enroll_offer": N_("Add a backup way to verify you, so next time is quicker?"),
        "enroll_change": N_("Which would you like to change?"),
        "enroll_more": N_("Add another way?"),
        "enroll_reconfirm": N_("It's been a while: are these ways to verify you still yours? {methods}."),
        "enroll_reconfirmed": N_("Thanks for confirming."),
        "enroll_all_set": N_("You're all set. Anything else I can help with?"),
        "enroll_no_thanks": N_("OK, no problem. Message me any time you need help."),
        "enroll_ask_sms": N_("What mobile number should I add? Include the country code, like +44 7700 900123."),
        "enroll_ask_email": N_("What email address should I add?"),
        "enroll_code_sent": N_(
            "I've sent a {digits}-digit code to {to}. Type it here to confirm it's yours. "
            "It expires in {minutes} minutes."
        ),
        "enroll_code_expired": N_('That code has expired. Say "send a new code", or "no thanks".'),
        "enroll_code_used_up": N_("That code has had too many wrong tries, so I haven't saved it."),
        "enroll_mobile_saved": N_("Thanks, your mobile number is saved. Next time I can use it to verify you."),
        "enroll_email_saved": N_("Thanks, your email address is saved. Next time I can use it to verify you."),
        "enroll_pick_question": N_("Choose question {number} of {total}:"),
        "enroll_answer": N_("Your answer to: {text} (at least 3 characters; only you should know it)"),
        "enroll_questions_saved": N_("Thanks, your security questions are saved."),
        "enroll_questions_problems": N_("I couldn't save those answers: {problems} Let's choose again."),
        "verify_first": N_(
            "For your security, please verify again first: I can only change how you verify right "
            "after you've confirmed it's you. Nothing was changed. Say \"reset my password\" to start."
        ),
        "hello_again": N_("Hello again."),
        "language_set": N_("OK, I'll continue in English."),  # in the language just chosen (dialogs/languages.py)
        "language_choose": N_("Which language would you like?"),
        "language_or_username": N_("If that word was your username, type it again."),
        "identify_name": N_(
            "I can't look people up by name. Please type your employee ID (like E1234), your username "
            "or your work email."
        ),
        "code_need_first": N_(
            "If you have a code from me, first tell me what you need; then choose the way you got "
            "the code and I'll send a fresh one."
        ),
        "code_choose_first": N_("If you have a code from me, choose the way you got it first, then type the code."),
    }
)

# {where} is DESTINATION's wording: an unknown identifier gets a decoy of the same shape, so nothing is revealed.
CODE_SENT: Translated[Method] = Translated(
    {
        Method.EMAIL: N_(
            "I've sent a {digits}-digit code {where}. Type the code here. It expires in {minutes} minutes."
        ),
        Method.SMS: N_(
            "I've texted a {digits}-digit code {where}. Type the code here. It expires in {minutes} minutes."
        ),
    }
)
DESTINATION: Translated[Method] = Translated({Method.EMAIL: N_("to {to}"), Method.SMS: N_("to the phone ending {to}")})

HANDOFF_REASON: Translated[HandoffReason] = Translated(
    {
        HandoffReason.NO_METHOD: N_("I can't verify you with anything on file for this account."),
        HandoffReason.PROVIDER_DOWN: N_("None of the ways to send you a code is working right now."),
        HandoffReason.VERIFICATION_LOCKED: N_("There have been too many failed attempts, so self-service is paused."),
        HandoffReason.NOT_UNDERSTOOD: N_("I'm having trouble understanding."),
        HandoffReason.DIRECTORY_DOWN: N_("I can't reach the company directory right now (directory unavailable)."),
        HandoffReason.ASKED: "",
        HandoffReason.METHODS_UNUSABLE: N_("OK, none of those ways works for you."),
    }
)

HELP: Translated[State] = Translated(
    {
        State.IDLE: N_('Tell me what you need: "reset my password", "unlock my account", or "talk to a person".'),
        State.NEED: N_('Pick one of the options, or type "reset", "unlock" or "agent".'),
        State.IDENTIFY: N_("Type your employee ID or username. I'll never ask for your password."),
        State.CHOOSE_METHOD: N_(
            "Pick how to confirm it's you. If none works for you, choose \"I can't use any of these\"."
        ),
        State.ENTER_CODE: N_('Type the code we sent you. Say "resend" for a new code or "another way" to switch.'),
        State.ANSWER_QUESTIONS: N_('Type the answer to the question. Say "another way" to choose a different method.'),
        State.AWAITING_RESET: N_('Open the secure link to choose your new password. Say "new link" if it expired.'),
        State.HANDOFF: N_('A person from IT support will reply here. Say "restart" to go back to the bot.'),
        State.DONE: N_('Tell me if there\'s anything else: "reset my password" or "unlock my account".'),
        State.ENROLL_RECONFIRM: N_('Say "yes" if these are still yours, or "no" to change them.'),
        State.ENROLL_OFFER: N_('Pick a way to add, or say "no thanks".'),
        State.ENROLL_CONTACT: N_('Type the mobile number or email to add, or say "no thanks".'),
        State.ENROLL_CONTACT_CODE: N_('Type the code I just sent. Say "send a new code" or "no thanks".'),
        State.ENROLL_PICK_QUESTION: N_("Pick a question from the list (its number works too)."),
        State.ENROLL_ANSWER: N_("Type your answer to the question. It is stored hashed and never shown again."),
    }
)


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
        span = ngettext("in {minutes} minute", "in {minutes} minutes", minutes).format(minutes=minutes)
    else:
        hours = round(minutes / 60)
        span = ngettext("in about {hours} hour", "in about {hours} hours", hours).format(hours=hours)
    at = until.strftime("%H:%M UTC")
    if minutes >= 12 * 60:
        at = f"{weekday(until, abbreviated=True)} {at}"
    return TEXT["lock_ends"].format(when=gettext("{span} (at {at})").format(span=span, at=at))


def code_wrong_text(tries: int) -> str:
    return ngettext(
        "That code isn't right. You have {tries} more try with this code.",
        "That code isn't right. You have {tries} more tries with this code.",
        tries,
    ).format(tries=tries)


def attempts_left_text(tries: int) -> str:
    return ngettext(
        "You have {tries} more attempt before self-service is paused.",
        "You have {tries} more attempts before self-service is paused.",
        tries,
    ).format(tries=tries)


def labels(choices: Choices) -> Choices:
    """Buttons as the person sees them: each label (a msgid) in the current language."""
    return tuple((gettext(label), value) for label, value in choices)
