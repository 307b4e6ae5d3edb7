"""Where a recovery stands: loading it, whether it is locked or verified, and which methods it offers next.

Every step (verify, reset, hand-off) asks these questions, so they live here once, over the shared
`RecoveryDeps` (core/recovery/deps.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.directory.port import Account
from core.enrollment.store import recovery_account
from core.recovery.deps import RecoveryDeps
from core.storage.models import Recovery
from core.types import Method, NotVerifiedError, Options, Requester, UnknownRecoveryError

__all__ = ["AGENT_VOUCHED", "Standing", "actor", "load", "subjects"]

AGENT_VOUCHED = "agent"  # a verified step recorded when a support agent verified the person their own way
_CODE_FIRST = {"standard": (Method.SMS, Method.EMAIL, Method.QUESTIONS), "strict": (Method.EMAIL, Method.SMS)}


def load(session: Session, handle: str) -> Recovery:
    recovery = session.get(Recovery, handle)
    if recovery is None:
        raise UnknownRecoveryError("no such recovery")
    return recovery


def subjects(recovery: Recovery) -> list[str]:
    """The failure-count subjects: the account (or unknown identifier) and the channel user."""
    return [recovery.subject, Requester(recovery.channel, recovery.channel_user).subject]


def actor(recovery: Recovery) -> str:
    return Requester(recovery.channel, recovery.channel_user).subject


class Standing:
    """Read-only questions about a recovery, asked inside the caller's transaction."""

    def __init__(self, deps: RecoveryDeps) -> None:
        self._deps = deps

    def options(self, session: Session, recovery: Recovery) -> Options:
        deps = self._deps
        now = deps.clock.now()
        if recovery.completed_at is not None:
            return Options(methods=(), verified=True, completed=True)
        if self.is_verified(session, recovery):
            return Options(methods=(), verified=True)
        if self.locked(session, recovery, now):
            until = deps.failures.unlocks_at(session, subjects(recovery), now)
            seconds = max(1, -int(-(until - now).total_seconds() // 1)) if until else None
            return Options(methods=(), locked=True, locked_until=until, locked_seconds=seconds)
        # A method whose code has had all its tries is not offered again in this recovery: a resend would
        # inherit the spent tries, so it could never succeed.
        exhausted = deps.codes.exhausted_methods(session, recovery.id)
        wanted = tuple(m for m in self.next_methods(session, recovery) if m not in exhausted)
        down = tuple(m for m in wanted if m.sends_code and not deps.breakers[m].available)
        return Options(methods=tuple(m for m in wanted if m not in down), unavailable=down)

    def account(self, recovery: Recovery) -> Account | None:
        """The account with the contacts recovery may use: the directory's, plus CONFIRMED self-enrolled ones
        for a kind the directory lacks (precedence: core/enrollment/store.py). A pending contact is never here.
        The same lookups whether or not the account exists (id 0 matches nothing): equal timing."""
        account_id = recovery.account_id or 0
        return recovery_account(self._deps.database, self._deps.directory.get(account_id), account_id)

    def on_file(self, session: Session, recovery: Recovery) -> set[Method]:
        deps = self._deps
        account = self.account(recovery)
        enrolled = deps.answers.enrolled(account.id if account else 0)
        if account is None:
            return self._decoy_on_file(recovery)
        methods = {m for m, value in ((Method.SMS, account.phone), (Method.EMAIL, account.email)) if value}
        if len(enrolled) >= deps.limits.questions_min_enrolled:
            methods.add(Method.QUESTIONS)
        return methods

    def _decoy_on_file(self, recovery: Recovery) -> set[Method]:
        """What an unknown identifier pretends to have on file.

        `enrolled` offers only what is on file, so a decoy has everything (most real accounts do). Under `all`
        everyone is offered everything, and a method not on file fails when chosen; a decoy that never failed
        would mark every failure as a real account's, so each decoy lacks each method one time in four,
        fixed per identifier. The trade-off: an attacker who sees a failure learns "this identifier is unknown,
        or lacks that method", no longer "exists and lacks it"; the person learns only when they choose.
        """
        if self._deps.limits.method_disclosure == "enrolled":
            return set(Method)
        coins = bytes.fromhex(self._deps.keyed.digest(recovery.subject, purpose="decoy-methods"))
        return {method for method, coin in zip(Method, coins, strict=False) if coin >= 64}

    def offers(self, method: Method, session: Session, recovery: Recovery) -> bool:
        """Whether an offered `method` can really be used; only ever False under METHOD_DISCLOSURE=all.

        Known and unknown identifiers take the same steps here, so the answer costs the same time."""
        if self._deps.limits.method_disclosure == "enrolled":
            return True  # only what is on file was offered
        return method in self.on_file(session, recovery)

    def next_methods(self, session: Session, recovery: Recovery) -> tuple[Method, ...]:
        policy = self._deps.limits.policy
        on_file = self.on_file(session, recovery)
        done = set(recovery.verified_steps)
        if policy == "strict" and done & {Method.SMS, Method.EMAIL}:
            # Questions are only ever a second step after a code under `strict` (only the verified person
            # gets this far, so what is on file may show).
            return (Method.QUESTIONS,) if Method.QUESTIONS in on_file - done else ()
        if self._deps.limits.method_disclosure == "all":
            return _CODE_FIRST[policy]
        return tuple(m for m in _CODE_FIRST[policy] if m in on_file)

    def is_verified(self, session: Session, recovery: Recovery) -> bool:
        done = set(recovery.verified_steps)
        if recovery.account_id is None or not done:
            return False
        if self._deps.limits.policy == "standard" or AGENT_VOUCHED in done:
            return True
        has_code = bool(done & {Method.SMS, Method.EMAIL})
        return has_code and Method.QUESTIONS not in self.on_file(session, recovery) - done

    def verified(self, session: Session, handle: str) -> Recovery:
        """The recovery, if its person is verified and has not finished yet."""
        recovery = load(session, handle)
        options = self.options(session, recovery)
        if not options.verified or options.completed:
            raise NotVerifiedError("the person has not been verified for this recovery")
        return recovery

    def locked(self, session: Session, recovery: Recovery, now: datetime) -> bool:
        return not recovery.agent_override and self._deps.failures.is_locked(session, subjects(recovery), now)
