"""The recovery conversation as data for `transitions`, and the model whose callbacks call RecoveryService.

Each message is read in the light of the current state into one *outcome event* ("code_wrong",
"identified", ...); the transitions table below says where each outcome leads. The service is called by
the readers (to learn the outcome) and by on_enter callbacks (to act). One Machine is built at import and
shared: each message restores a small RecoveryDialog from the stored row and triggers an event on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from transitions import Machine

from core.codes import clean_code
from core.recovery import RecoveryService
from core.types import CheckResult, CheckStatus, HandoffReason, Method, Purpose, Requester, SendStatus
from dialogs.prompts import CODE_SENT, HANDOFF_REASON, HELP, METHOD_LABELS, NEED_CHOICES, NONE_CHOICE, TEXT
from dialogs.replies import Expects, Link, Reply
from dialogs.understanding import match_choice, normalise, read_intents

__all__ = ["GLOBAL_EVENTS", "INITIAL", "MACHINE", "STATES", "TRANSITIONS", "RecoveryDialog"]

INITIAL = "idle"
_STATE_NAMES = (
    "idle", "need", "identify", "choose_method", "enter_code", "answer_questions", "verified", "awaiting_reset",
    "done", "handoff",
)  # fmt: skip
STATES: list[dict[str, Any]] = [
    {"name": "idle"},
    {"name": "need", "on_enter": "ask_need"},
    {"name": "identify", "on_enter": "ask_identifier"},
    {"name": "choose_method", "on_enter": "offer_methods"},
    {"name": "enter_code", "on_enter": "announce_code"},
    {"name": "answer_questions", "on_enter": "ask_first_question"},
    {"name": "verified", "on_enter": "conclude"},
    {"name": "awaiting_reset", "on_enter": "send_link"},
    {"name": "done"},
    {"name": "handoff", "on_enter": "open_ticket"},
]
assert tuple(s["name"] for s in STATES) == _STATE_NAMES

# Help, cancel, restart and hand-off work in every state (a test checks this on the data).
GLOBAL_EVENTS = ("help", "cancel", "restart", "handoff")
_EVERY = list(_STATE_NAMES)

TRANSITIONS: list[dict[str, Any]] = [
    # global commands
    {"trigger": "help", "source": _EVERY, "dest": None, "after": "say_help"},
    {"trigger": "cancel", "source": _EVERY, "dest": "idle", "after": "say_cancelled"},
    {"trigger": "restart", "source": _EVERY, "dest": "need", "before": "say_restarted"},
    {"trigger": "handoff", "source": [s for s in _EVERY if s != "handoff"], "dest": "handoff"},
    {"trigger": "handoff", "source": "handoff", "dest": None, "after": "say_waiting"},
    {"trigger": "unclear", "source": _EVERY, "dest": None, "after": "say_not_understood"},
    # greeting and what they need
    {"trigger": "greet", "source": ["idle", "done"], "dest": "need", "before": "say_greeting"},
    {"trigger": "want_reset", "source": ["idle", "need", "done"], "dest": "identify", "before": "remember_reset"},
    {"trigger": "want_unlock", "source": ["idle", "need", "done"], "dest": "identify", "before": "remember_unlock"},
    {"trigger": "want_other", "source": "need", "dest": None, "after": "say_other"},
    # who they are
    {"trigger": "identified", "source": "identify", "dest": "choose_method"},
    {"trigger": "unreadable_identifier", "source": "identify", "dest": None, "after": "ask_identifier_again"},
    {"trigger": "other_account", "source": "identify", "dest": None, "after": "ask_identifier"},
    # how to verify
    {"trigger": "code_sent", "source": ["choose_method", "enter_code", "handoff"], "dest": "enter_code"},
    {"trigger": "send_refused", "source": ["choose_method", "enter_code", "handoff"], "dest": None,
     "after": "say_send_refused"},
    {"trigger": "pick_questions", "source": "choose_method", "dest": "answer_questions"},
    {"trigger": "switch", "source": ["enter_code", "answer_questions"], "dest": "choose_method"},
    {"trigger": "code_wrong", "source": "enter_code", "dest": None, "after": "say_code_wrong"},
    {"trigger": "code_malformed", "source": "enter_code", "dest": None, "after": "say_code_malformed"},
    {"trigger": "code_expired", "source": "enter_code", "dest": None, "after": "say_code_expired"},
    {"trigger": "code_used_up", "source": "enter_code", "dest": "choose_method", "before": "say_code_used_up"},
    {"trigger": "next_question", "source": "answer_questions", "dest": None, "after": "ask_question"},
    {"trigger": "answers_wrong", "source": "answer_questions", "dest": "answer_questions",
     "before": "say_answers_wrong"},
    {"trigger": "step_passed", "source": ["enter_code", "answer_questions"], "dest": "choose_method",
     "before": "say_next_step"},
    {"trigger": "passed", "source": ["enter_code", "answer_questions"], "dest": "verified"},
    # after verification
    {"trigger": "link_ready", "source": "verified", "dest": "awaiting_reset"},
    {"trigger": "unlocked", "source": "verified", "dest": "done", "after": "say_unlocked"},
    {"trigger": "new_link", "source": "awaiting_reset", "dest": "awaiting_reset"},
    {"trigger": "still_waiting", "source": "awaiting_reset", "dest": None, "after": "say_awaiting"},
    {"trigger": "reset_completed", "source": "awaiting_reset", "dest": "done", "after": "say_reset_done"},
    # live support
    {"trigger": "relay", "source": "handoff", "dest": None, "after": "forward_to_support"},
    {"trigger": "support_closed", "source": "handoff", "dest": "done", "after": "say_support_closed"},
    {"trigger": "support_returned", "source": "handoff", "dest": "need", "before": "say_back_with_bot"},
    {"trigger": "agent_link", "source": "handoff", "dest": "awaiting_reset"},
]  # fmt: skip

MACHINE = Machine(
    model=None, states=STATES, transitions=TRANSITIONS, initial=INITIAL, auto_transitions=False, send_event=False
)

_STATE_EXPECTS: dict[str, Expects] = {"enter_code": "code", "answer_questions": "secret"}
_IDENTIFIER = re.compile(r"^[\w.@+-]{2,64}$")
_CODE_LIKE = re.compile(r"^[\d\s.-]+$")
_MAX_UNCLEAR = 3
# While answering a question any words may be an answer, so only these exact requests leave the questions.
_SWITCH_REQUESTS = {
    "another way",
    "other way",
    "different way",
    "another method",
    "other method",
    "different method",
    "switch method",
    "change method",
    "switch",
    "another way please",
}


class RecoveryDialog:
    """One conversation's turn: restored from stored state and slots, run, then saved by the engine.

    `slots` hold only what is safe to store (handle, purpose, question ids, counters), never a secret.
    """

    def __init__(
        self,
        service: RecoveryService,
        requester: Requester,
        state: str,
        slots: dict[str, Any],
        transcript: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.service = service
        self.requester = requester
        self.state = state
        self.slots = dict(slots)
        self.transcript = transcript
        self.replies: list[Reply] = []
        self.text = ""
        self.hint: str | None = None  # an account the channel proposes (e.g. from the Slack profile email)
        self.redacted_text = ""  # this message as the transcript keeps it: what support may see
        self.agent_link: Link | None = None  # a reset link an agent issued for this person

    # -- driving ----------------------------------------------------------------------------------------

    def fire(self, event: str) -> bool:
        return bool(MACHINE.events[event].trigger(self))

    def receive(self, text: str) -> list[Reply]:
        """Read one message in the current state and run the resulting event."""
        self.text = text
        event = _READERS[self.state](self)
        if event in ("unclear", "unreadable_identifier"):
            self.slots["unclear"] = self.slots.get("unclear", 0) + 1
            if self.slots["unclear"] >= _MAX_UNCLEAR:
                return self.hand_off(HandoffReason.NOT_UNDERSTOOD)
        else:
            self.slots["unclear"] = 0
        self.fire(event)
        return self.replies

    def command(self, event: str) -> list[Reply]:
        """Run a global command (help, cancel, restart, handoff)."""
        if event == "handoff":
            return self.hand_off(HandoffReason.ASKED)
        if event == "restart" and self.state in ("idle", "done"):
            event = "greet"  # nothing to start over (e.g. Telegram's /start on a first visit): just say hello
        self.fire(event)
        return self.replies

    def hand_off(self, reason: HandoffReason) -> list[Reply]:
        self.slots["handoff_reason"] = reason.value
        self.fire("handoff")
        return self.replies

    def say(self, text: str, **kwargs: Any) -> None:
        self.replies.append(Reply(text, **kwargs))

    # -- readers: text -> outcome event, per state ---------------------------------------------------------

    def read_start(self) -> str:
        intents = read_intents(self.text)
        if "unlock" in intents and "reset" not in intents:
            return "want_unlock"
        if "reset" in intents:
            return "want_reset"
        return "greet"

    def read_need(self) -> str:
        choice = match_choice(self.text, NEED_CHOICES)
        intents = read_intents(self.text)
        if choice == "agent":
            return "handoff"
        if choice == "unlock" or ("unlock" in intents and "reset" not in intents):
            return "want_unlock"
        if choice == "reset" or "reset" in intents:
            return "want_reset"
        if choice == "other" or "other" in intents:
            return "want_other"
        return "unclear"

    def read_identifier(self) -> str:
        identifier = self.text.strip()
        hint = self.slots.pop("hint", None)
        if hint:
            answer = match_choice(identifier, [("Yes", "yes"), ("No", "no")]) or next(
                (i for i in ("yes", "no") if i in read_intents(identifier)), None
            )
            if answer == "yes":
                identifier = hint
            elif answer == "no":
                self.hint = None
                return "other_account"
        if not _IDENTIFIER.match(identifier):
            return "unreadable_identifier"
        purpose = Purpose(self.slots.get("purpose", Purpose.RESET.value))
        handle = self.service.start(identifier, self.requester, purpose)
        self.slots.update(handle=handle, questions=[], asked=0)
        options = self.service.options(handle)
        if options.locked:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        if not options.methods:
            reason = HandoffReason.PROVIDER_DOWN if options.unavailable else HandoffReason.NO_METHOD
            self.slots["handoff_reason"] = reason.value
            return "handoff"
        return "identified"

    def read_method(self) -> str:
        choice = match_choice(self.text, self.slots.get("choices", []))
        intents = read_intents(self.text)
        if choice is None:
            for method in Method:
                if method.value in intents and any(v == method.value for _, v in self.slots.get("choices", [])):
                    choice = method.value
        if choice is None and "none" in intents:
            choice = "none"
        if choice is None:
            return "unclear"
        if choice == "none":
            self.slots["handoff_reason"] = HandoffReason.NO_METHOD.value
            return "handoff"
        method = Method(choice)
        if method is Method.QUESTIONS:
            return "pick_questions"
        return self._send(method)

    def read_code(self) -> str:
        intents = read_intents(self.text)
        if _CODE_LIKE.match(self.text.strip()) and any(ch.isdigit() for ch in self.text):
            return self._judge(self.service.verify_code(self.slots["handle"], clean_code(self.text)))
        if "resend" in intents:
            return self._send(Method(self.slots["method"]))
        current = Method(self.slots["method"])
        asked = [m for m in (Method.SMS, Method.EMAIL) if m.value in intents and m is not current]
        if asked and asked[0] in self.service.options(self.slots["handle"]).methods:
            return self._send(asked[0])
        if "switch" in intents or any(m.value in intents for m in Method):
            return "switch"
        return "unclear"

    def read_answer(self) -> str:
        answer = self.text.strip()
        if not answer:
            return "unclear"
        if normalise(answer).strip(" .!") in _SWITCH_REQUESTS:
            return "switch"
        questions, asked = self.slots["questions"], self.slots["asked"]
        result = self.service.answer_question(self.slots["handle"], questions[asked], answer)
        if result is None:
            self.slots["asked"] = asked + 1
            return "next_question"
        return self._judge(result)

    def read_awaiting(self) -> str:
        if self.service.options(self.slots["handle"]).completed:
            return "reset_completed"
        if "resend" in read_intents(self.text) or "link" in self.text.casefold():
            return "new_link"
        return "still_waiting"

    def read_handoff(self) -> str:
        return "relay"

    def _send(self, method: Method) -> str:
        self.slots["method"] = method.value
        result = self.service.send_code(self.slots["handle"], method)
        self.slots["send_status"] = result.status.value
        self.slots["retry_after"] = result.retry_after
        if result.status is SendStatus.LOCKED:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        if result.status is SendStatus.UNAVAILABLE and not self.service.options(self.slots["handle"]).methods:
            self.slots["handoff_reason"] = HandoffReason.PROVIDER_DOWN.value
            return "handoff"
        return "code_sent" if result.sent else "send_refused"

    def _judge(self, result: CheckResult) -> str:
        self.slots["tries_left"] = result.tries_left
        if result.status is CheckStatus.LOCKED:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        return {
            CheckStatus.VERIFIED: "passed",
            CheckStatus.NEXT_STEP: "step_passed",
            CheckStatus.WRONG: "answers_wrong"
            if self.state == "answer_questions"
            else ("code_wrong" if result.tries_left else "code_used_up"),
            CheckStatus.MALFORMED: "code_malformed",
            CheckStatus.EXPIRED: "code_expired",
            CheckStatus.NO_CODE: "code_expired",
            CheckStatus.USED_UP: "code_used_up",
        }[result.status]

    # -- callbacks (named in the tables above) ------------------------------------------------------------

    def say_greeting(self) -> None:
        self.slots = {}  # a new start: nothing from a finished recovery carries over
        self.say(TEXT["greeting"])

    def ask_need(self) -> None:
        # Fold the question into what was just said ("Let's start over."), so it reads as one message.
        lead = self.replies.pop().text + " " if self.replies and not self.replies[-1].choices else ""
        self.say(lead + TEXT["need_again"], choices=NEED_CHOICES)

    def remember_reset(self) -> None:
        self.slots["purpose"] = Purpose.RESET.value

    def remember_unlock(self) -> None:
        self.slots["purpose"] = Purpose.UNLOCK.value

    def say_other(self) -> None:
        self.say(TEXT["other"], choices=NEED_CHOICES)

    def ask_identifier(self) -> None:
        # The proposal is only a shortcut to typing: the account is still verified like any other.
        if self.hint:
            self.slots["hint"] = self.hint
            self.say(
                TEXT["identify_hint"].format(hint=self.hint), choices=(("Yes", "yes"), ("No, another account", "no"))
            )
        else:
            self.say(TEXT["identify"])

    def ask_identifier_again(self) -> None:
        self.say(TEXT["identify_again"])

    def offer_methods(self) -> None:
        options = self.service.options(self.slots["handle"])
        choices = [(METHOD_LABELS[m], m.value) for m in options.methods] + [NONE_CHOICE]
        self.slots["choices"] = choices
        verified_once = self.slots.get("step_done", False)
        self.say(TEXT["choose_next"] if verified_once else TEXT["choose"], choices=tuple(choices))

    def announce_code(self) -> None:
        method = Method(self.slots["method"])
        settings = self.service.settings
        text = CODE_SENT[method].format(digits=settings.code_digits, minutes=settings.code_ttl_seconds // 60)
        self.say(text, choices=(("Resend the code", "resend"), ("Another way", "another way")), expects="code")

    def say_send_refused(self) -> None:
        status = SendStatus(self.slots["send_status"])
        seconds = self.slots.get("retry_after") or 0
        if status is SendStatus.TOO_SOON:
            text = TEXT["too_soon"].format(seconds=seconds)
        elif status is SendStatus.RATE_LIMITED:
            text = TEXT["rate_limited"].format(minutes=max(1, -(-seconds // 60)))
        else:
            text = TEXT["provider_down"]
        if self.state == "choose_method":
            self.say(text)
            self.offer_methods()
        else:
            self.say(text, expects="code")

    def say_code_wrong(self) -> None:
        tries = self.slots.get("tries_left") or 0
        self.say(TEXT["code_wrong"].format(tries=tries, tries_word="try" if tries == 1 else "tries"), expects="code")

    def say_code_malformed(self) -> None:
        self.say(TEXT["code_malformed"].format(digits=self.service.settings.code_digits), expects="code")

    def say_code_expired(self) -> None:
        self.say(TEXT["code_expired"], choices=(("Resend the code", "resend"), ("Another way", "another way")))

    def say_code_used_up(self) -> None:
        self.say(TEXT["code_used_up"])

    def ask_first_question(self) -> None:
        questions = self.service.questions(self.slots["handle"])
        self.slots.update(questions=[q.id for q in questions], question_texts=[q.text for q in questions], asked=0)
        self.ask_question()

    def ask_question(self) -> None:
        texts, asked = self.slots["question_texts"], self.slots["asked"]
        self.say(TEXT["question"].format(number=asked + 1, total=len(texts), text=texts[asked]), expects="secret")

    def say_answers_wrong(self) -> None:
        self.say(TEXT["answers_wrong"])

    def say_next_step(self) -> None:
        self.slots["step_done"] = True

    def conclude(self) -> None:
        if self.slots.get("purpose") == Purpose.UNLOCK.value:
            self.service.unlock(self.slots["handle"])
            self.fire("unlocked")
        else:
            self.fire("link_ready")

    def send_link(self) -> None:
        minutes = self.service.settings.reset_token_ttl_seconds // 60
        if self.agent_link is not None:
            self.say(TEXT["agent_link"].format(minutes=minutes), link=self.agent_link)
            return
        link = self.service.issue_reset_link(self.slots["handle"])
        self.say(TEXT["verified_reset"].format(minutes=minutes), link=Link(link.url, TEXT["link_label"]))

    def say_awaiting(self) -> None:
        self.say(TEXT["awaiting"], choices=(("Send a new link", "new link"),))

    def say_reset_done(self) -> None:
        self.say(TEXT["reset_done"])

    def say_unlocked(self) -> None:
        self.say(TEXT["unlocked"])

    def open_ticket(self) -> None:
        reason = HandoffReason(self.slots.pop("handoff_reason", HandoffReason.ASKED.value))
        ticket = self.service.open_ticket(
            reason, self.requester, handle=self.slots.get("handle"), transcript=self.transcript
        )
        self.slots["ticket"] = ticket.reference
        why = HANDOFF_REASON[reason.value]
        text = TEXT["handoff"].format(reference=ticket.reference, position=ticket.position)
        if ticket.opens_at is not None:
            when = ticket.opens_at.strftime("%A %H:%M %Z").strip()
            text += " " + TEXT["handoff_closed"].format(when=when)
        elif not ticket.assigned:
            text += " " + TEXT["handoff_wait"].format(minutes=ticket.expected_wait_minutes)
        self.say(f"{why} {text}".strip())

    def say_waiting(self) -> None:
        self.say(TEXT["handoff_waiting"].format(reference=self.slots.get("ticket", "")))

    def forward_to_support(self) -> None:
        """While waiting, what the person says goes on their ticket; once an agent has it, the bot is quiet."""
        ticket = self.service.add_to_ticket(self.requester, self.redacted_text)
        if ticket is None or ticket.assigned:
            return
        if not self.slots.get("told_added"):
            self.slots["told_added"] = True
            self.say(TEXT["handoff_added"].format(reference=ticket.reference))

    def say_support_closed(self) -> None:
        self.slots = {}
        self.say(TEXT["support_closed"])

    def say_back_with_bot(self) -> None:
        self.slots = {}
        self.say(TEXT["back_with_bot"])

    # -- agent actions arriving from the console ------------------------------------------------------------

    def agent_sent_code(self, handle: str, method: Method) -> list[Reply]:
        """An agent vouched for the person and asked for a code: continue at the code step."""
        self.slots.update(handle=handle, purpose=self.slots.get("purpose", Purpose.RESET.value))
        self.fire(self._send(method))
        return self.replies

    def support_finished(self, *, returned: bool) -> list[Reply]:
        """The agent closed the ticket. Only a person still waiting in hand-off is moved on."""
        if self.state == "handoff":
            self.fire("support_returned" if returned else "support_closed")
        return self.replies

    def agent_sent_link(self, handle: str, link: Link) -> list[Reply]:
        self.slots.update(handle=handle, purpose=Purpose.RESET.value)
        self.agent_link = link
        self.fire("agent_link")
        return self.replies

    def say_help(self) -> None:
        self.say(HELP.get(self.state, HELP["idle"]) + " " + TEXT["commands"], expects=self._state_expects())

    def _state_expects(self) -> Expects:
        """What the state's prompt asks for, so a help or retry reply keeps a masked field masked."""
        return _STATE_EXPECTS.get(self.state, "text")

    def say_cancelled(self) -> None:
        self._abandon()
        self.say(TEXT["cancelled"])

    def say_restarted(self) -> None:
        self._abandon()
        self.say(TEXT["restarted"])

    def _abandon(self) -> None:
        """Stopping means stopping: codes and a reset link issued in this conversation stop working."""
        if "handle" in self.slots:
            self.service.abandon(self.slots["handle"])
        if self.state == "handoff" or "ticket" in self.slots:
            self.service.leave_ticket(self.requester)
        self.slots = {}

    def say_not_understood(self) -> None:
        # Re-offer what the state offers, so a button is one tap away after a misunderstanding.
        choices: tuple[tuple[str, str], ...] = ()
        if self.state == "need":
            choices = NEED_CHOICES
        elif self.state == "choose_method":
            choices = tuple((label, value) for label, value in self.slots.get("choices", []))
        text = f"{TEXT['not_understood']} {HELP.get(self.state, '')} {TEXT['commands']}"
        self.say(text, choices=choices, expects=self._state_expects())


_READERS: dict[str, Callable[[RecoveryDialog], str]] = {
    "idle": RecoveryDialog.read_start,
    "done": RecoveryDialog.read_start,
    "need": RecoveryDialog.read_need,
    "identify": RecoveryDialog.read_identifier,
    "choose_method": RecoveryDialog.read_method,
    "enter_code": RecoveryDialog.read_code,
    "answer_questions": RecoveryDialog.read_answer,
    "verified": RecoveryDialog.read_start,  # never rests here; defensive
    "awaiting_reset": RecoveryDialog.read_awaiting,
    "handoff": RecoveryDialog.read_handoff,
}
