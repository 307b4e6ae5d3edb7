"""Verification: starting a recovery and proving who the person is (one-time codes, challenge questions).

One of RecoveryService's parts (see core/recovery/service.py). Everything here runs before a person is verified,
so it is where the enumeration rule matters most: for an unknown identifier every call here answers like
a typical known account (same options, same "sent", same questions pattern, same failure counting).
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.delivery.notify import code_email, code_sms
from core.delivery.queue import Outgoing
from core.directory.port import Account
from core.i18n import spoken_language
from core.metrics import record
from core.recovery.deps import RecoveryDeps
from core.recovery.standing import Standing, actor, load, subjects
from core.secrets.limits import send_wait_seconds
from core.secrets.questions import QUESTION_POOL, Question, find_question
from core.storage.models import Recovery
from core.types import CheckResult, CheckStatus, Method, Options, Purpose, Requester, SendResult, SendStatus

__all__ = ["Verification"]


class Verification:
    """start, options, send_code, verify_code, questions, verify_answers, answer_question."""

    def __init__(self, deps: RecoveryDeps) -> None:
        self._deps = deps
        self._standing = Standing(deps)

    # -- starting ------------------------------------------------------------------------------------

    def start(self, identifier: str, requester: Requester, purpose: Purpose = Purpose.RESET) -> str:
        """Begin a recovery for an employee ID or username. Returns the handle, known account or not."""
        key = unicodedata.normalize("NFKC", identifier).strip().casefold()
        if not key:
            raise ValueError("an identifier is required")
        account = self._deps.directory.find(key)
        subject = f"account:{account.id}" if account else "unknown:" + self._deps.keyed.digest(key, purpose="id")[:40]
        handle = secrets.token_urlsafe(24)
        with self._deps.database.transaction() as session:
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
                    created_at=self._deps.clock.now(),
                    # The chat turn's (core.i18n.use_language); outside a turn, the configured default.
                    lang=spoken_language() or self._deps.limits.default_language,
                )
            )
            # Whether the identifier matched is recorded by account_id being set or not; the typed text is not.
            self._deps.audit.record(
                session,
                "recovery.started",
                actor=requester.subject,
                account_id=account.id if account else None,
                recovery_id=handle,
                purpose=purpose.value,
                channel=requester.channel,
            )
        record.conversation_started(requester.channel)
        return handle

    # -- where things stand -----------------------------------------------------------------------------

    def options(self, handle: str) -> Options:
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            return self._standing.options(session, recovery)

    # -- one-time codes ------------------------------------------------------------------------------

    def send_code(self, handle: str, method: Method) -> SendResult:
        if not method.sends_code:
            raise ValueError(f"{method} does not send a code")
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            options = self._standing.options(session, recovery)
            if options.locked:
                return SendResult(SendStatus.LOCKED)
            if method in options.unavailable:
                return SendResult(SendStatus.UNAVAILABLE)
            if method not in options.methods:
                return SendResult(SendStatus.NOT_OFFERED)
            wait, capped = send_wait_seconds(
                session,
                recovery.subject,
                recovery.id,
                method.value,
                now,
                per_hour=self._deps.limits.code_sends_per_hour,
                spacing_seconds=self._deps.limits.code_send_interval_seconds,
            )
            account = self._standing.account(recovery)  # with confirmed self-enrolled contacts; id 0: nobody
            if wait:
                if capped:
                    return SendResult(SendStatus.RATE_LIMITED, retry_after=wait)
                # The code sent a moment ago still works: say where it went, so the person types that one.
                pending = self._deps.codes.pending(session, recovery.id, method, now)
                to = self._masked(session, method, account, recovery) if pending else None
                return SendResult(SendStatus.TOO_SOON, retry_after=wait, destination=to, code_pending=pending)
            if not self._standing.offers(method, session, recovery):
                # Offered but not on file (METHOD_DISCLOSURE=all): no code, no job, the same reply for everyone.
                self._deps.audit.record(
                    session, "code.not_on_file", actor="system", account_id=recovery.account_id,
                    recovery_id=handle, method=method.value,
                )  # fmt: skip
                return SendResult(SendStatus.UNAVAILABLE)
            # Queued in this transaction, sent by the delivery worker: the reply never waits on a provider, and
            # an unknown identifier queues a decoy the worker drops, so both do the same work here.
            code = self._deps.codes.issue(session, recovery, method, now)
            expires = now + timedelta(seconds=self._deps.limits.code_ttl_seconds)
            message = self._code_message(account, method, code)
            self._deps.deliveries.enqueue(session, message, recovery_id=handle, for_code=True, expires_at=expires)
            to = self._masked(session, method, account, recovery)
        return SendResult(SendStatus.SENT, destination=to)

    def _masked(self, session: Session, method: Method, account: Account | None, recovery: Recovery) -> str:
        return self._deps.destinations.masked(session, method, account, recovery.subject)

    def _code_message(self, account: Account | None, method: Method, code: str) -> Outgoing:
        minutes = self._deps.limits.code_ttl_seconds // 60
        to = (account.email if method is Method.EMAIL else account.phone) if account else None
        if method is Method.EMAIL:
            subject, body = code_email(code, minutes)
            return Outgoing("email", to or "", body, subject)
        return Outgoing("sms", to or "", code_sms(code, minutes))

    def verify_code(self, handle: str, typed: str) -> CheckResult:
        now = self._deps.clock.now()
        with self._judging(handle) as (session, recovery):
            if self._standing.locked(session, recovery, now):
                return CheckResult(CheckStatus.LOCKED)
            status, tries_left, method = self._deps.codes.check(
                session, recovery, typed, now, can_succeed=recovery.account_id is not None
            )
            if status is CheckStatus.VERIFIED and method is not None:
                return self._step_passed(session, recovery, method)
            if status is CheckStatus.WRONG:
                self._fail(session, recovery, method.value if method else "code", now)
                if self._standing.locked(session, recovery, now):
                    status, tries_left = CheckStatus.LOCKED, None
                    record.lock(method.value if method else "code")
            self._deps.audit.record(
                session, "code.checked", actor=actor(recovery), account_id=recovery.account_id,
                recovery_id=handle, outcome=status.value,
            )  # fmt: skip
            return CheckResult(status, tries_left)

    # -- challenge questions ----------------------------------------------------------------------------

    def questions(self, handle: str) -> list[Question]:
        """The questions to ask, drawn once per recovery so asking again never shows different ones."""
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            if Method.QUESTIONS not in self._standing.options(session, recovery).methods:
                return []
            if not self._standing.offers(Method.QUESTIONS, session, recovery):
                return []  # offered to everyone (METHOD_DISCLOSURE=all), but none on file
            if not recovery.drawn_questions:
                recovery.drawn_questions = self._draw(recovery)
            return [q for qid in recovery.drawn_questions if (q := find_question(qid)) is not None]

    def _draw(self, recovery: Recovery) -> list[str]:
        if recovery.account_id is None:
            # An unknown identifier gets a fixed decoy "enrolment" (the same every time) drawn from like a
            # real one, so repeated recoveries show the same pattern of questions as a known account.
            seeded = random.Random(self._deps.keyed.digest(recovery.subject, purpose="decoy-questions"))
            enrolled = [q.id for q in seeded.sample(QUESTION_POOL, self._deps.limits.questions_min_enrolled)]
        else:
            enrolled = self._deps.answers.enrolled(recovery.account_id)
        return secrets.SystemRandom().sample(enrolled, self._deps.limits.questions_asked)

    def verify_answers(self, handle: str, answers: Mapping[str, str]) -> CheckResult:
        """Judge a whole set of answers at once; the result never says which one was wrong."""
        with self._deps.database.transaction() as session:
            drawn = load(session, handle).drawn_questions
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
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            if self._standing.locked(session, recovery, now):
                return CheckResult(CheckStatus.LOCKED)
            if question_id not in recovery.drawn_questions:
                raise ValueError("that question was not drawn for this recovery")
            account_id = recovery.account_id
        if account_id is None:
            self._deps.answers.verify_decoy(1)
            right = False
        else:
            right = self._deps.answers.verify(account_id, {question_id: answer})
        with self._judging(handle) as (session, recovery):
            if self._standing.locked(session, recovery, now):
                # Locked while this answer was being checked: refused even if right, and not counted.
                recovery.answer_results = {}
                return CheckResult(CheckStatus.LOCKED)
            results = {**recovery.answer_results, question_id: right}
            if set(results) != set(recovery.drawn_questions):
                recovery.answer_results = results
                return None
            recovery.answer_results = {}
            if all(results.values()):
                return self._step_passed(session, recovery, Method.QUESTIONS)
            self._fail(session, recovery, "questions", now)
            left = self._deps.failures.remaining(session, subjects(recovery), now)
            if recovery.agent_override:
                return CheckResult(CheckStatus.WRONG)  # no lock applies
            if left == 0:
                record.lock("questions")
                return CheckResult(CheckStatus.LOCKED)
            # The person is told their own failures left (the chat user's count): the account's count may hold
            # other people's failures, by this identifier or another for the same account, and would say so.
            return CheckResult(CheckStatus.WRONG, self._deps.failures.remaining(session, [actor(recovery)], now))

    @contextmanager
    def _judging(self, handle: str) -> Iterator[tuple[Session, Recovery]]:
        """A transaction that is the only judge of this recovery's subjects (see FailureCounter.hold): the
        lock is checked, the guess judged and a failure counted with no other judge in between."""
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            self._deps.failures.hold(session, subjects(recovery))
            session.refresh(recovery)  # read again under the hold: a racer may have changed it meanwhile
            yield session, recovery

    def _step_passed(self, session: Session, recovery: Recovery, method: Method) -> CheckResult:
        recovery.verified_steps = [*recovery.verified_steps, method.value]
        verified = self._standing.is_verified(session, recovery)
        self._deps.audit.record(
            session, "verification.passed", actor=actor(recovery), account_id=recovery.account_id,
            recovery_id=recovery.id, method=method.value, complete=verified,
        )  # fmt: skip
        record.verification(method.value, passed=True)
        return CheckResult(CheckStatus.VERIFIED if verified else CheckStatus.NEXT_STEP)

    def _fail(self, session: Session, recovery: Recovery, method: str, now: Any) -> None:
        self._deps.failures.record(session, subjects(recovery), now)
        # `locked`: this failure locked self-service (the reports page counts locked accounts from it).
        self._deps.audit.record(
            session, "verification.failed", actor=actor(recovery), account_id=recovery.account_id,
            recovery_id=recovery.id, method=method, locked=self._standing.locked(session, recovery, now),
        )  # fmt: skip
        record.verification(method, passed=False)  # sms, email, questions; "code" when the code is unknown
