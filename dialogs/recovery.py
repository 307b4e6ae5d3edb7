"""The recovery conversation's model: one conversation's turn, whose callbacks call RecoveryService.

Each message is read in the light of the current state into one *outcome event* (dialogs/readers.py); the
transitions table (dialogs/flow.py) says where each outcome leads; the callbacks below speak and act.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.directory.port import DirectoryUnavailable
from core.i18n import gettext, weekday
from core.recovery.service import RecoveryService
from core.types import HandoffReason, LinkLimitError, Method, Options, Purpose, Requester
from dialogs.courtesy import Courtesies
from dialogs.enrollment import EnrollmentSteps
from dialogs.flow import GLOBAL_EVENTS, MACHINE, PASS_THROUGH, STATES, TRANSITIONS
from dialogs.prompts import HELP, METHOD_LABELS, TEXT, Buttons, Choices, code_wrong_text, labels
from dialogs.readers import Readers, reader_for
from dialogs.replies import Expects, Link, Reply
from dialogs.slots import Slots
from dialogs.states import INITIAL, RESTING, SECRET_STATES, STATE_EXPECTS, State
from dialogs.waits import WaitReplies

__all__ = ["GLOBAL_EVENTS", "INITIAL", "MACHINE", "SECRET_STATES", "STATES", "TRANSITIONS", "RecoveryDialog"]

_MAX_UNCLEAR = 3


class RecoveryDialog(Readers, Courtesies, WaitReplies, EnrollmentSteps):
    """One conversation's turn: restored from stored state and slots, run, then saved by the engine.

    `slots` hold only what is safe to store (handle, purpose, question ids, counters), never a secret.
    """

    def __init__(
        self,
        service: RecoveryService,
        requester: Requester,
        state: str,
        slots: Slots,
        transcript: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.service = service
        self.requester = requester
        self.state = State(state).value  # the plain string: transitions reads an Enum member by its name
        self.slots = Slots(**slots)  # a copy: the turn only lands if the engine saves it
        self.transcript = transcript
        self.replies: list[Reply] = []
        self.text = ""
        self.hint: str | None = None  # an account the channel proposes (e.g. from the Slack profile email)
        self.redacted_text = ""  # this message as the transcript keeps it: what support may see
        self.agent_link: Link | None = None  # a reset link an agent issued for this person
        # Options a reader fetched this turn, for the callback that follows it to show (one read, not two).
        self.fresh_options: Options | None = None

    # -- driving ----------------------------------------------------------------------------------------

    def fire(self, event: str) -> bool:
        """Trigger an event; arriving in a pass-through state fires that state's event (flow.PASS_THROUGH),
        here rather than in an on_enter callback, so the table alone says where each outcome leads."""
        fired = bool(MACHINE.events[event].trigger(self))
        then = PASS_THROUGH.get(State(self.state))
        if then is not None:
            MACHINE.events[then].trigger(self)
        return fired

    def receive(self, text: str) -> list[Reply]:
        """Read one message in the current state and run the resulting event."""
        self.text = text
        try:
            event = reader_for(self.state)(self)
        except DirectoryUnavailable:  # LDAP/AD down or refusing us: a person can still help
            return self.hand_off(HandoffReason.DIRECTORY_DOWN)
        if event in ("unclear", "unreadable_identifier"):
            self.slots["unclear"] = self.slots.get("unclear", 0) + 1
            if self.slots["unclear"] >= _MAX_UNCLEAR:
                return self.hand_off(HandoffReason.NOT_UNDERSTOOD)
        else:
            self.slots["unclear"] = 0
        self.fire(event)
        self.offer_choices_again()
        return self.replies

    def command(self, event: str) -> list[Reply]:
        """Run a global command (help, cancel, restart, handoff)."""
        if event == "handoff":
            return self.hand_off(HandoffReason.ASKED)
        if event == "restart" and self.state in RESTING:
            event = "greet"  # nothing to start over (e.g. Telegram's /start on a first visit): just say hello
        self.fire(event)
        self.offer_choices_again()
        return self.replies

    def hand_off(self, reason: HandoffReason) -> list[Reply]:
        self.slots["handoff_reason"] = reason.value
        self.fire("handoff")
        return self.replies

    def say(self, text: str, *, choices: Choices = (), **kwargs: Any) -> None:
        """Every reply goes out here: the buttons' labels (msgids) are put in the conversation's language."""
        self.replies.append(Reply(text, labels(choices), **kwargs))

    # -- callbacks (named in the tables above) ------------------------------------------------------------

    def say_greeting(self) -> None:
        self.slots = Slots()  # a new start: nothing from a finished recovery carries over
        self.say(TEXT["greeting"])

    def ask_need(self) -> None:
        # Fold the question into what was just said ("Let's start over."), so it reads as one message.
        lead = self.replies.pop().text + " " if self.replies and not self.replies[-1].choices else ""
        self.say(lead + TEXT["need_again"], choices=Buttons.NEED)

    def remember_reset(self) -> None:
        self.slots["purpose"] = Purpose.RESET.value

    def remember_unlock(self) -> None:
        self.slots["purpose"] = Purpose.UNLOCK.value

    def say_other(self) -> None:
        self.say(TEXT["other"], choices=Buttons.NEED)

    def ask_identifier(self) -> None:
        # The proposal is only a shortcut to typing: the account is still verified like any other.
        if self.hint:
            self.slots["hint"] = self.hint
            self.say(TEXT["identify_hint"].format(hint=self.hint), choices=Buttons.HINT)
        else:
            self.say(TEXT["identify"])

    def ask_identifier_again(self) -> None:
        self.say(TEXT["identify_again"])

    def offer_methods(self) -> None:
        options, self.fresh_options = self.fresh_options or self.service.options(self.slots["handle"]), None
        choices = (*((METHOD_LABELS[m], m.value) for m in options.methods), Buttons.NONE)
        self.slots["choices"] = [[label, value] for label, value in choices]
        verified_once = self.slots.get("step_done", False)
        self.say(TEXT["choose_next"] if verified_once else TEXT["choose"], choices=choices)

    def say_code_wrong(self) -> None:
        tries = self.slots.get("tries_left") or 0
        self.say(code_wrong_text(tries), expects="code")

    def say_code_malformed(self) -> None:
        self.say(TEXT["code_malformed"].format(digits=self.service.terms.code_digits), expects="code")

    def say_code_expired(self) -> None:
        self.say(TEXT["code_expired"], choices=Buttons.CODE, expects="code")

    def say_code_used_up(self) -> None:
        self.say(TEXT["code_used_up"])

    def ask_first_question(self) -> None:
        self.slots["asked"] = 0  # the reader drew the questions into the slots before entering this state
        self.ask_question()

    def say_method_unavailable(self) -> None:
        self.say(TEXT["method_unavailable"])

    def ask_question(self) -> None:
        texts, asked = self.slots["question_texts"], self.slots["asked"]
        text = TEXT["question"].format(number=asked + 1, total=len(texts), text=gettext(texts[asked]))
        self.say(text, expects="secret")

    def say_next_step(self) -> None:
        self.slots["step_done"] = True

    def wants_unlock(self) -> bool:
        return self.slots.get("purpose") == Purpose.UNLOCK.value

    def unlock_account(self) -> None:
        self.service.unlock(self.slots["handle"])

    def send_link(self) -> None:
        minutes = self.service.terms.link_minutes
        if self.agent_link is not None:
            self.say(TEXT["agent_link"].format(minutes=minutes), link=self.agent_link)
            return
        try:
            link = self.service.issue_reset_link(self.slots["handle"])
        except LinkLimitError:
            self.say(TEXT["link_limit"], choices=Buttons.START_OVER_OR_AGENT)
            return
        self.say(TEXT["verified_reset"].format(minutes=minutes), link=Link(link.url, TEXT["link_label"]))

    def say_awaiting(self) -> None:
        self.say(TEXT["awaiting"], choices=Buttons.AWAITING)

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
        why = self.handoff_why(reason)
        text = TEXT["handoff"].format(reference=ticket.reference, position=ticket.position)
        if ticket.opens_at is not None:
            when = f"{weekday(ticket.opens_at)} {ticket.opens_at.strftime('%H:%M %Z')}".strip()
            text += " " + TEXT["handoff_closed"].format(when=when)
        elif not ticket.assigned:
            text += " " + TEXT["handoff_wait"].format(minutes=ticket.expected_wait_minutes)
        self.say(f"{why} {text}".strip())

    def say_waiting(self) -> None:
        self.say(TEXT["handoff_waiting"].format(reference=self.slots.get("ticket", "")))

    def forward_to_support(self) -> None:
        """While waiting, what the person says goes on their ticket, and each message is acknowledged (the first
        at length); once an agent has it, the agent answers and the bot is quiet."""
        ticket = self.service.add_to_ticket(self.requester, self.redacted_text)
        if ticket is None or ticket.assigned:
            return
        key = "handoff_ack" if self.slots.get("told_added") else "handoff_added"
        self.slots["told_added"] = True
        self.say(TEXT[key].format(reference=ticket.reference))

    def say_support_closed(self) -> None:
        self.slots = Slots()
        self.say(TEXT["support_closed"])

    def say_back_with_bot(self) -> None:
        self.slots = Slots()
        self.say(TEXT["back_with_bot"])

    # -- agent actions arriving from the console ------------------------------------------------------------

    def agent_sent_code(self, handle: str, method: Method) -> list[Reply]:
        """An agent vouched for the person and asked for a code: continue at the code step."""
        self.slots.update(Slots(handle=handle, purpose=self.slots.get("purpose", Purpose.RESET.value)))
        if self._send(method) == "code_sent":
            self.fire("agent_code_sent")
        else:
            self.say(self._send_refused_text())
        return self.replies

    def support_finished(self, *, returned: bool) -> list[Reply]:
        """The agent closed the ticket. Only a person still waiting in hand-off is moved on."""
        if self.state == State.HANDOFF:
            self.fire("support_returned" if returned else "support_closed")
        return self.replies

    def agent_sent_link(self, handle: str, link: Link) -> list[Reply]:
        self.slots.update(Slots(handle=handle, purpose=Purpose.RESET.value))
        self.agent_link = link
        self.fire("agent_link")
        return self.replies

    def say_help(self) -> None:
        self.say(HELP.get(State(self.state), HELP[State.IDLE]) + " " + TEXT["commands"], expects=self._state_expects())

    def _state_expects(self) -> Expects:
        return STATE_EXPECTS.get(State(self.state), "text")

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
        if self.state == State.HANDOFF or "ticket" in self.slots:
            self.service.leave_ticket(self.requester)
        self.slots = Slots()

    def say_not_understood(self) -> None:
        # The step's buttons come back with it (offer_choices_again), so one is a tap away after a misunderstanding.
        text = f"{TEXT['not_understood']} {HELP.get(State(self.state), '')} {TEXT['commands']}"
        self.say(text, expects=self._state_expects())
