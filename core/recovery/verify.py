"""Verification: starting a recovery and proving who the person is (one-time codes, challenge questions).

One of RecoveryService's parts (see core/recovery/service.py). Everything here runs before a person is verified,
so it is where the enumeration rule matters most: for an unknown identifier every call here answers like
a typical known account (same options, same "sent", same questions pattern, same failure counting).
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.delivery.notify import code_email, code_sms
from core.delivery.queue import Outgoing
from core.directory.port import Account
from core.recovery.base import RecoveryBase
from core.secrets.limits import send_wait_seconds
from core.secrets.questions import QUESTION_POOL, Question, find_question
from core.storage.models import Recovery
from core.types import CheckResult, CheckStatus, Method, Options, Purpose, Requester, SendResult, SendStatus

__all__ = ["VerificationSteps"]


class VerificationSteps(RecoveryBase):
    """start, options, send_code, verify_code, questions, verify_answers, answer_question."""

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
            # Queued in this transaction, sent by the delivery worker: the reply never waits on a provider, and
            # an unknown identifier queues a decoy the worker drops, so both do the same work here.
            account = self._directory.get(recovery.account_id or 0)  # one lookup either way (id 0 matches nobody)
            code = self._codes.issue(session, recovery, method, now)
            expires = now + timedelta(seconds=self.settings.code_ttl_seconds)
            message = self._code_message(account, method, code)
            self.deliveries.enqueue(session, message, recovery_id=handle, for_code=True, expires_at=expires)
        return SendResult(SendStatus.SENT)

    def _code_message(self, account: Account | None, method: Method, code: str) -> Outgoing:
        minutes = self.settings.code_ttl_seconds // 60
        to = (account.email if method is Method.EMAIL else account.phone) if account else None
        if method is Method.EMAIL:
            subject, body = code_email(code, minutes)
            return Outgoing("email", to or "", body, subject)
        return Outgoing("sms", to or "", code_sms(code, minutes))

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
