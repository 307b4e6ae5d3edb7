"""RecoveryService: the one API the dialogs (and the reset page, and agents) call.

A recovery starts from whatever the person typed and is then named by an opaque handle. Unknown
identifiers get a handle too, and every call on it behaves like a typical known account (same options,
same "sent", same failure counting, same hashing time), so nothing the caller sees reveals who exists.

RecoveryService is a facade over three step objects that share one frozen `RecoveryDeps`
(core/recovery/deps.py): `Verification` (core/recovery/verify.py: start, codes, questions), `Reset`
(core/recovery/reset.py: reset link, unlock, the reset page) and `Handoff` (core/recovery/handoff.py:
live-support tickets, agent actions). Where a recovery stands is answered by core/recovery/standing.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.clock import Clock
from core.delivery.ports import EmailSender, SmsSender
from core.directory.port import DirectoryBackend
from core.enrollment.service import EnrollmentService
from core.recovery.chat_enrollment import ChatEnrollment
from core.recovery.deps import RecoveryDeps, build_deps
from core.recovery.handoff import Handoff
from core.recovery.reset import Reset
from core.recovery.terms import Terms
from core.recovery.verify import Verification
from core.secrets.answers import AnswerStore
from core.secrets.password_policy import PolicyResult
from core.secrets.questions import Question
from core.secrets.ratelimit import RateLimiter
from core.settings import Settings
from core.storage.db import Database
from core.types import (
    CheckResult,
    HandoffReason,
    Method,
    Options,
    Purpose,
    Requester,
    ResetLink,
    ResetOutcome,
    SendResult,
    Ticket,
)

__all__ = ["RecoveryService"]


class RecoveryService:
    """The recovery API: verification steps, then a reset link or unlock, or a hand-off to live support.

    Public attributes: `settings`, `terms` (what the dialogs tell the person), `breakers` (one circuit breaker
    per code-sending method), `deliveries` (the code-message queue), `ticket_alerts` (callbacks for newly
    opened tickets), `enrollment` (the chat's port to enrollment) and `deps` (what the steps share; tests hook in
    there).
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        directory: DirectoryBackend,
        answers: AnswerStore,
        email: EmailSender,
        sms: SmsSender,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.deps: RecoveryDeps = build_deps(
            settings, database, directory=directory, answers=answers, email=email, sms=sms, clock=clock
        )
        self.terms = Terms(settings.code_digits, settings.code_ttl_seconds, settings.reset_token_ttl_seconds)
        self.breakers = self.deps.breakers
        self.deliveries = self.deps.deliveries  # the queue code messages go to; a DeliveryWorker sends them
        self.ticket_alerts = self.deps.ticket_alerts
        self._verification = Verification(self.deps)
        self._reset = Reset(self.deps)
        self._handoff = Handoff(self.deps)
        # The chat's port to enrollment, for the person a recovery just verified (core/recovery/chat_enrollment.py).
        assert settings.secret_key is not None  # build_deps refused to go on without one
        enrollment = EnrollmentService(settings, self.deps, RateLimiter(database, clock))
        self.enrollment = ChatEnrollment(self.deps, enrollment, settings.secret_key.get_secret_value().encode())

    # -- verification ----------------------------------------------------------------------------------

    def start(self, identifier: str, requester: Requester, purpose: Purpose = Purpose.RESET) -> str:
        """Begin a recovery for an employee ID or username. Returns the handle, known account or not."""
        return self._verification.start(identifier, requester, purpose)

    def options(self, handle: str) -> Options:
        return self._verification.options(handle)

    def send_code(self, handle: str, method: Method) -> SendResult:
        return self._verification.send_code(handle, method)

    def verify_code(self, handle: str, typed: str) -> CheckResult:
        return self._verification.verify_code(handle, typed)

    def questions(self, handle: str) -> list[Question]:
        """The questions to ask, drawn once per recovery so asking again never shows different ones."""
        return self._verification.questions(handle)

    def verify_answers(self, handle: str, answers: Mapping[str, str]) -> CheckResult:
        """Judge a whole set of answers at once; the result never says which one was wrong."""
        return self._verification.verify_answers(handle, answers)

    def answer_question(self, handle: str, question_id: str, answer: str) -> CheckResult | None:
        """Take one answer; None while questions remain, then the verdict on the whole set."""
        return self._verification.answer_question(handle, question_id, answer)

    # -- after verification, and the reset page ------------------------------------------------------------

    def issue_reset_link(self, handle: str) -> ResetLink:
        return self._reset.issue_reset_link(handle)

    def unlock(self, handle: str) -> None:
        self._reset.unlock(handle)

    def abandon(self, handle: str) -> None:
        """The person stopped (cancel, restart): the codes and reset link of this recovery stop working."""
        self._reset.abandon(handle)

    def proposal_for_email(self, email: str) -> str | None:
        """The account a channel may propose for a person's verified workspace email (Slack's profile): only
        a shortcut to typing ("Is this about your account X?"), never verification. None when no single match."""
        account = self.deps.directory.find_by_email(email)
        return None if account is None else account.username or account.employee_id

    def check_password(self, token: str, password: str) -> PolicyResult | None:
        """Policy feedback for the reset page's live meter; None when the link is not valid."""
        return self._reset.check_password(token, password)

    def link_is_valid(self, token: str) -> bool:
        return self._reset.link_is_valid(token)

    def link_language(self, token: str) -> str | None:
        """The language the link's recovery was in (the reset page speaks it); None for an unknown link."""
        return self._reset.link_language(token)

    def complete_reset(self, token: str, new_password: str, confirmation: str) -> ResetOutcome:
        return self._reset.complete_reset(token, new_password, confirmation)

    # -- hand-off and agents -------------------------------------------------------------------------------

    def open_ticket(
        self,
        reason: HandoffReason,
        requester: Requester,
        *,
        handle: str | None = None,
        transcript: Sequence[dict[str, Any]] = (),
    ) -> Ticket:
        """Hand the person to live support. `transcript` must already be redacted (bot/ does that)."""
        return self._handoff.open_ticket(reason, requester, handle=handle, transcript=transcript)

    def add_to_ticket(self, requester: Requester, text: str) -> Ticket | None:
        return self._handoff.add_to_ticket(requester, text)

    def leave_ticket(self, requester: Requester) -> None:
        self._handoff.leave_ticket(requester)

    def agent_issue_link(self, handle: str, *, agent: str, reason: str) -> ResetLink:
        """A reset link issued on an agent's word, with the reason audited."""
        return self._handoff.agent_issue_link(handle, agent=agent, reason=reason)

    def agent_override(self, handle: str, *, agent: str, reason: str) -> None:
        """Let this recovery verify by code again although self-service is locked (the agent vouches)."""
        self._handoff.agent_override(handle, agent=agent, reason=reason)
