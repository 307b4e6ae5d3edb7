"""RecoveryService: the one API the dialogs (and the reset page, and agents) call.

A recovery starts from whatever the person typed and is then named by an opaque handle. Unknown
identifiers get a handle too, and every call on it behaves like a typical known account (same options,
same "sent", same failure counting, same hashing time), so nothing the caller sees reveals who exists.
"""

from __future__ import annotations

import logging
import random
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.answers import AnswerStore
from core.audit import Audit
from core.breaker import CircuitBreaker
from core.clock import Clock
from core.codes import CodeBook
from core.db import Database
from core.hashing import KeyedHasher
from core.hours import parse_support_hours
from core.limits import FailureCounter, send_wait_seconds
from core.links import LinkBook
from core.models import Recovery
from core.notify import Notifier, code_email, code_sms
from core.password_policy import PasswordPolicy, PolicyResult
from core.ports import Account, DeliveryError, DirectoryBackend, EmailMessage, EmailSender, SmsSender
from core.questions import QUESTION_POOL, Question, find_question
from core.settings import Settings
from core.tickets import add_person_message, close_by_person, open_ticket, queue_position
from core.types import (
    CheckResult,
    CheckStatus,
    HandoffReason,
    Method,
    NotVerifiedError,
    Options,
    Purpose,
    Requester,
    ResetLink,
    ResetOutcome,
    ResetStatus,
    SendResult,
    SendStatus,
    Ticket,
    UnknownRecoveryError,
)

__all__ = ["RecoveryService"]

log = logging.getLogger(__name__)

_CODE_FIRST = {"standard": (Method.SMS, Method.EMAIL, Method.QUESTIONS), "strict": (Method.EMAIL, Method.SMS)}


class RecoveryService:
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
        if settings.secret_key is None:
            raise ValueError("RecoveryService needs settings.secret_key for its keyed hashes")
        self.settings = settings
        self._db = database
        self._directory = directory
        self._answers = answers
        self._email = email
        self._sms = sms
        self._clock = clock
        keyed = KeyedHasher(settings.secret_key.get_secret_value().encode())
        self._keyed = keyed
        self._codes = CodeBook(
            keyed,
            digits=settings.code_digits,
            ttl_seconds=settings.code_ttl_seconds,
            max_attempts=settings.code_max_attempts,
        )
        self._links = LinkBook(keyed, public_url=settings.public_url, ttl_seconds=settings.reset_token_ttl_seconds)
        self._failures = FailureCounter(
            max_failures=settings.verification_max_failures, window_seconds=settings.verification_window_seconds
        )
        self._policy = PasswordPolicy(
            min_length=settings.password_min_length,
            max_length=settings.password_max_length,
            min_strength=settings.password_min_strength,
        )
        self.breakers = {
            method: CircuitBreaker(
                method.value,
                failure_threshold=settings.breaker_failure_threshold,
                cooldown_seconds=settings.breaker_cooldown_seconds,
                clock=clock,
            )
            for method in (Method.EMAIL, Method.SMS)
        }
        self._notifier = Notifier(
            email=email, sms=sms, email_breaker=self.breakers[Method.EMAIL], sms_breaker=self.breakers[Method.SMS]
        )
        self._audit = Audit(clock)
        # Called with each newly opened ticket: email or Slack alerts to support, wired by app.py.
        self.ticket_alerts: list[Callable[[Ticket, Requester], None]] = []

    # -- starting ------------------------------------------------------------------------------------

    def start(self, identifier: str, requester: Requester, purpose: Purpose = Purpose.RESET) -> str:
        """Begin a recovery for an employee ID or username. Returns the handle, known account or not."""
        key = unicodedata.normalize("NFKC", identifier).strip().casefold()
        if not key:
            raise ValueError("an identifier is required")
        account = self._directory.find(key)
        subject = f"account:{account.id}" if account else "unknown:" + self._keyed.digest(key, purpose="id")[:40]
        handle = secrets.token_urlsafe(24)
        with self._db.transaction() as session:
            session.add(
                Recovery(
                    id=handle,
                    account_id=account.id if account else None,
                    subject=subject,
                    purpose=purpose.value,
                    channel=requester.channel,
                    channel_user=requester.user_id,
                    verified_steps=[],
                    drawn_questions=[],
                    created_at=self._clock.now(),
                )
            )
            # Whether the identifier matched is recorded by account_id being set or not; the typed text is not.
            self._audit.record(
                session,
                "recovery.started",
                actor=requester.subject,
                account_id=account.id if account else None,
                recovery_id=handle,
                purpose=purpose.value,
                channel=requester.channel,
            )
        return handle

    # -- where things stand -----------------------------------------------------------------------------

    def options(self, handle: str) -> Options:
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            return self._options(session, recovery)

    def _options(self, session: Session, recovery: Recovery) -> Options:
        now = self._clock.now()
        if recovery.completed_at is not None:
            return Options(methods=(), verified=True, completed=True)
        if self._is_verified(session, recovery):
            return Options(methods=(), verified=True)
        if self._locked(session, recovery, now):
            return Options(methods=(), locked=True)
        # A method whose code has had all its tries is not offered again in this recovery: a resend would
        # inherit the spent tries, so it could never succeed.
        exhausted = self._codes.exhausted_methods(session, recovery.id)
        wanted = tuple(m for m in self._next_methods(session, recovery) if m not in exhausted)
        down = tuple(m for m in wanted if m.sends_code and not self.breakers[m].available)
        return Options(methods=tuple(m for m in wanted if m not in down), unavailable=down)

    def _on_file(self, session: Session, recovery: Recovery) -> set[Method]:
        account = self._account(recovery)
        if account is None:
            return set(Method)  # decoy: looks like an account with everything on file
        methods = {m for m, value in ((Method.SMS, account.phone), (Method.EMAIL, account.email)) if value}
        if len(self._answers.enrolled(account.id)) >= self.settings.questions_min_enrolled:
            methods.add(Method.QUESTIONS)
        return methods

    def _next_methods(self, session: Session, recovery: Recovery) -> tuple[Method, ...]:
        on_file = self._on_file(session, recovery)
        done = set(recovery.verified_steps)
        if self.settings.policy == "strict" and done & {Method.SMS, Method.EMAIL}:
            # Questions are only ever a second step after a code under `strict`.
            return (Method.QUESTIONS,) if Method.QUESTIONS in on_file - done else ()
        return tuple(m for m in _CODE_FIRST[self.settings.policy] if m in on_file)

    def _is_verified(self, session: Session, recovery: Recovery) -> bool:
        done = set(recovery.verified_steps)
        if recovery.account_id is None or not done:
            return False
        if self.settings.policy == "standard":
            return True
        has_code = bool(done & {Method.SMS, Method.EMAIL})
        return has_code and Method.QUESTIONS not in self._on_file(session, recovery) - done

    # -- one-time codes ------------------------------------------------------------------------------

    def send_code(self, handle: str, method: Method) -> SendResult:
        if not method.sends_code:
            raise ValueError(f"{method} does not send a code")
        now = self._clock.now()
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            options = self._options(session, recovery)
            if options.locked:
                return SendResult(SendStatus.LOCKED)
            if method in options.unavailable:
                return SendResult(SendStatus.UNAVAILABLE)
            if method not in options.methods:
                return SendResult(SendStatus.NOT_OFFERED)
            wait, capped = send_wait_seconds(
                session,
                recovery.subject,
                now,
                per_hour=self.settings.code_sends_per_hour,
                spacing_seconds=self.settings.code_send_interval_seconds,
            )
            if wait:
                status = SendStatus.RATE_LIMITED if capped else SendStatus.TOO_SOON
                return SendResult(status, retry_after=wait)
            code = self._codes.issue(session, recovery, method, now)
            account_id = recovery.account_id
        # Delivered after the commit: a slow provider must not hold a database write lock.
        account = self._directory.get(account_id) if account_id is not None else None
        try:
            if account is not None:
                self._deliver_code(account, method, code)
        except DeliveryError as exc:
            with self._db.transaction() as session:
                recovery = self._load(session, handle)
                self._codes.discard(session, recovery)
                self._audit.record(
                    session, "code.delivery_failed", actor="system", account_id=account_id,
                    recovery_id=handle, method=method.value, reason=exc.reason,
                )  # fmt: skip
            return SendResult(SendStatus.UNAVAILABLE)
        with self._db.transaction() as session:
            self._audit.record(
                session, "code.sent", actor="system", account_id=account_id, recovery_id=handle, method=method.value
            )
        return SendResult(SendStatus.SENT)

    def _deliver_code(self, account: Account, method: Method, code: str) -> None:
        minutes = self.settings.code_ttl_seconds // 60
        if method is Method.EMAIL and account.email:
            subject, body = code_email(code, minutes)
            self.breakers[Method.EMAIL].call(self._email.send, EmailMessage(account.email, subject, body))
        elif method is Method.SMS and account.phone:
            self.breakers[Method.SMS].call(self._sms.send, account.phone, code_sms(code, minutes))

    def verify_code(self, handle: str, typed: str) -> CheckResult:
        now = self._clock.now()
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            if self._locked(session, recovery, now):
                return CheckResult(CheckStatus.LOCKED)
            status, tries_left, method = self._codes.check(
                session, recovery, typed, now, can_succeed=recovery.account_id is not None
            )
            if status is CheckStatus.VERIFIED and method is not None:
                return self._step_passed(session, recovery, method)
            if status is CheckStatus.WRONG:
                self._fail(session, recovery, "code", now)
                if self._locked(session, recovery, now):
                    status, tries_left = CheckStatus.LOCKED, None
            self._audit.record(
                session, "code.checked", actor=self._actor(recovery), account_id=recovery.account_id,
                recovery_id=handle, outcome=status.value,
            )  # fmt: skip
            return CheckResult(status, tries_left)

    # -- challenge questions ----------------------------------------------------------------------------

    def questions(self, handle: str) -> list[Question]:
        """The questions to ask, drawn once per recovery so asking again never shows different ones."""
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            if Method.QUESTIONS not in self._options(session, recovery).methods:
                return []
            if not recovery.drawn_questions:
                recovery.drawn_questions = self._draw(recovery)
            return [q for qid in recovery.drawn_questions if (q := find_question(qid)) is not None]

    def _draw(self, recovery: Recovery) -> list[str]:
        if recovery.account_id is None:
            # An unknown identifier gets a fixed decoy "enrolment" (the same every time) drawn from like a
            # real one, so repeated recoveries show the same pattern of questions as a known account.
            seeded = random.Random(self._keyed.digest(recovery.subject, purpose="decoy-questions"))
            enrolled = [q.id for q in seeded.sample(QUESTION_POOL, self.settings.questions_min_enrolled)]
        else:
            enrolled = self._answers.enrolled(recovery.account_id)
        return secrets.SystemRandom().sample(enrolled, self.settings.questions_asked)

    def verify_answers(self, handle: str, answers: Mapping[str, str]) -> CheckResult:
        """Judge a whole set of answers at once; the result never says which one was wrong."""
        with self._db.transaction() as session:
            drawn = self._load(session, handle).drawn_questions
        if not drawn or set(answers) != set(drawn):
            raise ValueError("answer exactly the questions drawn by questions(handle)")
        result: CheckResult | None = None
        for question_id in drawn:
            result = self.answer_question(handle, question_id, answers[question_id])
        assert result is not None  # the last answer always brings the verdict
        return result

    def answer_question(self, handle: str, question_id: str, answer: str) -> CheckResult | None:
        """Take one answer (a chat asks one question at a time). Returns None while questions remain,
        then the verdict on the whole set; the per-question outcome is kept server-side, never shown."""
        now = self._clock.now()
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            if self._locked(session, recovery, now):
                return CheckResult(CheckStatus.LOCKED)
            if question_id not in recovery.drawn_questions:
                raise ValueError("that question was not drawn for this recovery")
            account_id = recovery.account_id
        if account_id is None:
            self._answers.verify_decoy(1)
            right = False
        else:
            right = self._answers.verify(account_id, {question_id: answer})
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            results = {**recovery.answer_results, question_id: right}
            if set(results) != set(recovery.drawn_questions):
                recovery.answer_results = results
                return None
            recovery.answer_results = {}
            if all(results.values()):
                return self._step_passed(session, recovery, Method.QUESTIONS)
            self._fail(session, recovery, "questions", now)
            left = self._failures.remaining(session, self._subjects(recovery), now)
            locked = left == 0 and not recovery.agent_override
            return CheckResult(CheckStatus.LOCKED) if locked else CheckResult(CheckStatus.WRONG, left)

    def _step_passed(self, session: Session, recovery: Recovery, method: Method) -> CheckResult:
        recovery.verified_steps = [*recovery.verified_steps, method.value]
        verified = self._is_verified(session, recovery)
        self._audit.record(
            session, "verification.passed", actor=self._actor(recovery), account_id=recovery.account_id,
            recovery_id=recovery.id, method=method.value, complete=verified,
        )  # fmt: skip
        return CheckResult(CheckStatus.VERIFIED if verified else CheckStatus.NEXT_STEP)

    def _fail(self, session: Session, recovery: Recovery, kind: str, now: Any) -> None:
        self._failures.record(session, self._subjects(recovery), now)
        self._audit.record(
            session, "verification.failed", actor=self._actor(recovery), account_id=recovery.account_id,
            recovery_id=recovery.id, method=kind,
        )  # fmt: skip

    # -- after verification -----------------------------------------------------------------------------

    def issue_reset_link(self, handle: str) -> ResetLink:
        with self._db.transaction() as session:
            recovery = self._verified(session, handle)
            assert recovery.account_id is not None  # only known accounts can be verified
            url, expires_at = self._links.issue(
                session, account_id=recovery.account_id, recovery_id=recovery.id, now=self._clock.now()
            )
            self._audit.record(
                session, "link.issued", actor=self._actor(recovery), account_id=recovery.account_id,
                recovery_id=handle,
            )  # fmt: skip
        return ResetLink(url=url, expires_at=expires_at)

    def unlock(self, handle: str) -> None:
        with self._db.transaction() as session:
            recovery = self._verified(session, handle)
            account_id = recovery.account_id
            assert account_id is not None
        self._directory.unlock(account_id)
        self._after_change(account_id, handle, "unlocked", actor=self._requester_subject(handle))

    def abandon(self, handle: str) -> None:
        """The person stopped (cancel, restart): the codes and reset link of this recovery stop working."""
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            self._codes.revoke_open(session, recovery_ids=[recovery.id])
            self._links.revoke_open(session, recovery_id=recovery.id)
            self._audit.record(
                session, "recovery.abandoned", actor=self._actor(recovery), account_id=recovery.account_id,
                recovery_id=handle,
            )  # fmt: skip

    def check_password(self, token: str, password: str) -> PolicyResult | None:
        """Policy feedback for the reset page's live meter; None when the link is not valid."""
        with self._db.transaction() as session:
            row = self._links.find_valid(session, token, self._clock.now())
            account_id = row.account_id if row else None
        account = self._directory.get(account_id) if account_id is not None else None
        if account is None:
            return None
        return self._policy.check(password, account.personal_words)

    def link_is_valid(self, token: str) -> bool:
        with self._db.transaction() as session:
            return self._links.find_valid(session, token, self._clock.now()) is not None

    def complete_reset(self, token: str, new_password: str, confirmation: str) -> ResetOutcome:
        now = self._clock.now()
        with self._db.transaction() as session:
            row = self._links.find_valid(session, token, now)
            if row is None:
                return ResetOutcome(ResetStatus.INVALID_LINK)
            row_id, account_id, recovery_id = row.id, row.account_id, row.recovery_id
        account = self._directory.get(account_id)
        if account is None:
            return ResetOutcome(ResetStatus.INVALID_LINK)
        if new_password != confirmation:
            return ResetOutcome(ResetStatus.MISMATCH, ("The two passwords are not the same.",))
        verdict = self._policy.check(new_password, account.personal_words)
        problems = list(verdict.problems)
        if verdict.ok and self._directory.is_recent_password(account_id, new_password, self.settings.password_history):
            problems.append(f"It is one of your last {self.settings.password_history} passwords; choose a new one.")
        if problems:
            return ResetOutcome(ResetStatus.REJECTED, tuple(problems), verdict.score)
        with self._db.transaction() as session:
            row = self._links.find_valid(session, token, now)
            if row is None or not self._links.consume(session, row, now):
                return ResetOutcome(ResetStatus.INVALID_LINK)
        try:
            self._directory.set_password(account_id, new_password)
        except Exception as exc:  # the directory may be remote: give the link back, never half-reset
            with self._db.transaction() as session:
                self._links.release(session, row_id)
            log.error("saving a new password failed (%s); the reset link stays usable", type(exc).__name__)
            return ResetOutcome(ResetStatus.FAILED)
        self._after_change(account_id, recovery_id, "password_reset", actor="reset-page")
        requester = None
        if recovery_id is not None:
            with self._db.transaction() as session:
                recovery = self._load(session, recovery_id)
                requester = Requester(recovery.channel, recovery.channel_user)
        return ResetOutcome(ResetStatus.DONE, score=verdict.score, handle=recovery_id, requester=requester)

    def _after_change(self, account_id: int, recovery_id: str | None, change: str, *, actor: str) -> None:
        """Close every open code and link, mark the recovery done, notify every contact, audit."""
        now = self._clock.now()
        with self._db.transaction() as session:
            self._codes.revoke_open(session, account_id=account_id)
            self._links.revoke_open(session, account_id=account_id)
            recovery = session.get(Recovery, recovery_id) if recovery_id else None
            if recovery is not None:
                recovery.completed_at = now
        account = self._directory.get(account_id)
        notified = self._notifier.account_changed(account, change) if account else {}
        with self._db.transaction() as session:
            self._audit.record(
                session, f"account.{change}", actor=actor, account_id=account_id, recovery_id=recovery_id,
                notified=notified,
            )  # fmt: skip

    # -- hand-off ---------------------------------------------------------------------------------------

    def open_ticket(
        self,
        reason: HandoffReason,
        requester: Requester,
        *,
        handle: str | None = None,
        transcript: Sequence[dict[str, Any]] = (),
    ) -> Ticket:
        """Hand the person to live support. `transcript` must already be redacted (bot/ does that)."""
        now = self._clock.now()
        with self._db.transaction() as session:
            recovery = session.get(Recovery, handle) if handle else None
            account_id = recovery.account_id if recovery else None
            ticket = open_ticket(
                session,
                reason=reason,
                requester=requester,
                recovery_id=recovery.id if recovery else None,
                account_id=account_id,
                transcript=transcript,
                now=now,
            )
            self._audit.record(
                session, "handoff.opened", actor=requester.subject, account_id=account_id,
                recovery_id=handle, reason=reason.value, reference=ticket.reference,
            )  # fmt: skip
        hours = parse_support_hours(self.settings.support_hours) if self.settings.support_hours else None
        opens_at = hours.next_opening(now) if hours and not hours.is_open(now) else None
        wait = ticket.position * self.settings.support_minutes_per_ticket
        ticket = replace(ticket, expected_wait_minutes=wait, opens_at=opens_at)
        if ticket.created:
            self._alert(ticket, requester)
        return ticket

    def _alert(self, ticket: Ticket, requester: Requester) -> None:
        """Tell support a ticket is waiting (Slack channel or email); an alert failing never fails the hand-off."""
        for alert in self.ticket_alerts:
            try:
                alert(ticket, requester)
            except Exception as exc:  # an alert is best effort: the ticket is in the queue regardless
                log.warning("ticket alert failed (%s)", type(exc).__name__)

    def add_to_ticket(self, requester: Requester, text: str) -> Ticket | None:
        """Put what the person said while waiting (redacted by bot/) on their open ticket."""
        with self._db.transaction() as session:
            ticket = add_person_message(session, requester, text, self._clock.now())
            if ticket is None:
                return None
            return Ticket(
                ticket.reference,
                HandoffReason(ticket.reason),
                queue_position(session, ticket),
                assigned=ticket.status == "assigned",
            )

    def leave_ticket(self, requester: Requester) -> None:
        """The person cancelled or went back to the bot while waiting."""
        with self._db.transaction() as session:
            ticket = close_by_person(session, requester, self._clock.now())
            if ticket is not None:
                self._audit.record(
                    session, "handoff.left", actor=requester.subject, account_id=ticket.account_id,
                    recovery_id=ticket.recovery_id, reference=ticket.reference,
                )  # fmt: skip

    # -- agent actions (an agent verified the person by their own procedure) -------------------------------

    def agent_issue_link(self, handle: str, *, agent: str, reason: str) -> ResetLink:
        """A reset link for the recovery's account, issued on an agent's word, with the reason audited."""
        reason = _required_reason(reason)
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            if recovery.account_id is None:
                raise NotVerifiedError("this recovery names no account")
            url, expires_at = self._links.issue(
                session, account_id=recovery.account_id, recovery_id=recovery.id, now=self._clock.now()
            )
            self._audit.record(
                session, "agent.link_issued", actor=f"agent:{agent}", account_id=recovery.account_id,
                recovery_id=handle, reason=reason,
            )  # fmt: skip
        return ResetLink(url=url, expires_at=expires_at)

    def agent_override(self, handle: str, *, agent: str, reason: str) -> None:
        """Let this recovery verify by code again although self-service is locked (the agent vouches)."""
        reason = _required_reason(reason)
        with self._db.transaction() as session:
            recovery = self._load(session, handle)
            recovery.agent_override = True
            self._audit.record(
                session, "agent.override", actor=f"agent:{agent}", account_id=recovery.account_id,
                recovery_id=handle, reason=reason,
            )  # fmt: skip

    # -- helpers ----------------------------------------------------------------------------------------

    @staticmethod
    def _load(session: Session, handle: str) -> Recovery:
        recovery = session.get(Recovery, handle)
        if recovery is None:
            raise UnknownRecoveryError("no such recovery")
        return recovery

    def _verified(self, session: Session, handle: str) -> Recovery:
        recovery = self._load(session, handle)
        options = self._options(session, recovery)
        if not options.verified or options.completed:
            raise NotVerifiedError("the person has not been verified for this recovery")
        return recovery

    def _account(self, recovery: Recovery) -> Account | None:
        return self._directory.get(recovery.account_id) if recovery.account_id is not None else None

    def _locked(self, session: Session, recovery: Recovery, now: datetime) -> bool:
        return not recovery.agent_override and self._failures.is_locked(session, self._subjects(recovery), now)

    @staticmethod
    def _subjects(recovery: Recovery) -> list[str]:
        return [recovery.subject, Requester(recovery.channel, recovery.channel_user).subject]

    @staticmethod
    def _actor(recovery: Recovery) -> str:
        return Requester(recovery.channel, recovery.channel_user).subject

    def _requester_subject(self, handle: str) -> str:
        with self._db.transaction() as session:
            return self._actor(self._load(session, handle))


def _required_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValueError("a reason of at least a few words is required for the audit trail")
    return reason[:500]
