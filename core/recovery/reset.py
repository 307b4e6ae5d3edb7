"""Reset: what a verified person may do (reset link, unlock), the reset page's calls, and abandoning a recovery.

One of RecoveryService's parts (see core/recovery/service.py). After a password reset or an unlock, every open code
and link of the account is closed, every contact on file is told, and the change is audited.
"""

from __future__ import annotations

import logging
from typing import Any

from core.directory.port import Account, DirectoryUnavailable, PasswordRefused
from core.enrollment.store import recovery_account
from core.i18n import N_, gettext, ngettext, spoken_language
from core.metrics import record
from core.recovery.deps import RecoveryDeps
from core.recovery.standing import Standing, actor, load
from core.secrets.password_policy import PolicyResult
from core.storage.models import Recovery
from core.types import LinkLimitError, Requester, ResetLink, ResetOutcome, ResetStatus

__all__ = ["Reset"]

# The facade's logger name, as before the split, so logging configuration keeps matching.
log = logging.getLogger("core.recovery")

# Messages for the reset page are msgids, read through gettext in the page's language (its request scope).
_NOT_SAVED_LINK_SPENT = N_(
    "We couldn't save your new password, so it has not changed. This link can't be used again: "
    'go back to the chat and say "new link" to get a fresh one.'
)

_DIRECTORY_DOWN = N_("We can't reach the company directory just now, so nothing has changed. Please try again shortly.")

# On DONE, ResetOutcome.problems are notes: the directory will ask for another change (RESETDESK_LDAP_FORCE_CHANGE).
_MUST_CHANGE = N_("The portal will ask you to choose another new password the next time you sign in.")


class Reset:
    """issue_reset_link, unlock, abandon, check_password, link_is_valid, complete_reset."""

    def __init__(self, deps: RecoveryDeps) -> None:
        self._deps = deps
        self._standing = Standing(deps)

    # -- after verification -----------------------------------------------------------------------------

    def issue_reset_link(self, handle: str) -> ResetLink:
        with self._deps.database.transaction() as session:
            recovery = self._standing.verified(session, handle)
            assert recovery.account_id is not None  # only known accounts can be verified
            # The person may have switched since the start; the page follows. Outside a turn, keep what was recorded.
            recovery.lang = spoken_language() or recovery.lang
            # Capped per verification: whoever holds the chat can't mint links without end. One issuer at a
            # time (the hold), so parallel "new link" requests can't all slip under the cap.
            self._deps.failures.hold(session, [recovery.subject])
            if self._deps.links.issued_for(session, recovery.id) >= self._deps.limits.links_per_verification:
                raise LinkLimitError("this verification has had all its reset links")
            url, expires_at = self._deps.links.issue(
                session, account_id=recovery.account_id, recovery_id=recovery.id, now=self._deps.clock.now()
            )
            self._deps.audit.record(
                session, "link.issued", actor=actor(recovery), account_id=recovery.account_id,
                recovery_id=handle,
            )  # fmt: skip
        return ResetLink(url=url, expires_at=expires_at)

    def unlock(self, handle: str) -> None:
        with self._deps.database.transaction() as session:
            recovery = self._standing.verified(session, handle)
            account_id = recovery.account_id
            assert account_id is not None
            recovery.lang = spoken_language() or recovery.lang  # the chat's language now (they may have switched)
        self._deps.directory.unlock(account_id)
        self._after_change(account_id, handle, "unlocked", actor=self._requester_subject(handle))

    def abandon(self, handle: str) -> None:
        """The person stopped (cancel, restart): the codes and reset link of this recovery stop working."""
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            self._deps.codes.revoke_open(session, recovery_ids=[recovery.id])
            self._deps.links.revoke_open(session, recovery_id=recovery.id)
            self._deps.audit.record(
                session, "recovery.abandoned", actor=actor(recovery), account_id=recovery.account_id,
                recovery_id=handle,
            )  # fmt: skip

    def check_password(self, token: str, password: str) -> PolicyResult | None:
        """Policy feedback for the reset page's live meter; None when the link is not valid."""
        with self._deps.database.transaction() as session:
            row = self._deps.links.find_valid(session, token, self._deps.clock.now())
            account_id = row.account_id if row else None
        account = self._deps.directory.get(account_id) if account_id is not None else None
        if account is None or account_id is None:
            return None
        return self._judge(account_id, account, password)

    def _judge(self, account_id: int, account: Account, password: str) -> PolicyResult:
        """The one verdict the live check and the submit both give: the policy, then the history (only for a
        password that passes the rest, as it costs one slow hash per kept password)."""
        verdict = self._deps.passwords.check(password, account.personal_words)
        history = self._deps.limits.password_history
        if verdict.ok and self._deps.directory.is_recent_password(account_id, password, history):
            return verdict.refused_because(
                ngettext(
                    "It is your current password; choose a new one.",
                    "It is one of your last {count} passwords; choose a new one.",
                    history,
                ).format(count=history)
            )
        return verdict

    def link_is_valid(self, token: str) -> bool:
        with self._deps.database.transaction() as session:
            return self._deps.links.find_valid(session, token, self._deps.clock.now()) is not None

    def link_language(self, token: str) -> str | None:
        """The language of the recovery a link belongs to (the chat's, when the link was issued), spent or expired
        links too (the page saying so speaks it); None for an unknown link or a recovery that kept none."""
        with self._deps.database.transaction() as session:
            row = self._deps.links.find(session, token)
            recovery = session.get(Recovery, row.recovery_id) if row is not None and row.recovery_id else None
            return recovery.lang if recovery is not None else None

    def complete_reset(self, token: str, new_password: str, confirmation: str) -> ResetOutcome:
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
            row = self._deps.links.find_valid(session, token, now)
            if row is None:
                return ResetOutcome(ResetStatus.INVALID_LINK)
            row_id, account_id, recovery_id = row.id, row.account_id, row.recovery_id
        try:
            account = self._deps.directory.get(account_id)
        except DirectoryUnavailable:  # nothing spent: the link works again once the directory is back
            return ResetOutcome(ResetStatus.FAILED, (gettext(_DIRECTORY_DOWN),))
        if account is None:
            return ResetOutcome(ResetStatus.INVALID_LINK)
        if new_password != confirmation:
            return ResetOutcome(ResetStatus.MISMATCH, (gettext("The two passwords are not the same."),))
        verdict = self._judge(account_id, account, new_password)
        if not verdict.ok:
            return ResetOutcome(ResetStatus.REJECTED, verdict.problems, verdict.score)
        with self._deps.database.transaction() as session:
            row = self._deps.links.find_valid(session, token, now)
            if row is None or not self._deps.links.consume(session, row, now):
                return ResetOutcome(ResetStatus.INVALID_LINK)
        try:
            self._deps.directory.set_password(account_id, new_password)
        except Exception as exc:  # the directory may be remote: give the link back, never half-reset
            try:
                with self._deps.database.transaction() as session:
                    self._deps.links.release(session, row_id)
            except Exception as release_exc:  # the database itself is down: the link stays spent
                log.error(
                    "saving a new password failed (%s), and so did giving the reset link back (%s)",
                    type(exc).__name__, type(release_exc).__name__,
                )  # fmt: skip
                return ResetOutcome(ResetStatus.FAILED, (gettext(_NOT_SAVED_LINK_SPENT),))
            if isinstance(exc, PasswordRefused):  # the directory's own policy: explain, the link stays usable
                refused = tuple(gettext(problem) for problem in exc.problems)  # the directory's msgids
                return ResetOutcome(ResetStatus.REJECTED, refused, verdict.score)
            log.error("saving a new password failed (%s); the reset link stays usable", type(exc).__name__)
            return ResetOutcome(ResetStatus.FAILED)
        requester = None
        try:
            self._after_change(account_id, recovery_id, "password_reset", actor="reset-page")
            if recovery_id is not None:
                with self._deps.database.transaction() as session:
                    recovery = load(session, recovery_id)
                    requester = Requester(recovery.channel, recovery.channel_user)
        except Exception as exc:  # the password IS changed: say so, and leave a loud trace for operators
            log.error("password changed, but closing codes/notifying/auditing failed (%s)", type(exc).__name__)
        notes = (gettext(_MUST_CHANGE),) if self._deps.limits.directory_forces_change else ()
        return ResetOutcome(ResetStatus.DONE, notes, verdict.score, handle=recovery_id, requester=requester)

    def _after_change(self, account_id: int, recovery_id: str | None, change: str, *, actor: str) -> None:
        """Close every open code and link, mark the recovery done, notify every contact, audit."""
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
            self._deps.codes.revoke_open(session, account_id=account_id)
            self._deps.links.revoke_open(session, account_id=account_id)
            recovery = session.get(Recovery, recovery_id) if recovery_id else None
            facts: dict[str, Any] = {}  # for the reports page: how, where, and how long it took
            if recovery is not None:
                recovery.completed_at = now
                seconds = int((now - recovery.created_at).total_seconds())
                facts = {"channel": recovery.channel, "method": "+".join(recovery.verified_steps), "seconds": seconds}
            lang = recovery.lang if recovery is not None else None
            done = (
                (recovery.channel, list(recovery.verified_steps), recovery.created_at) if recovery else (None, [], None)
            )
        # Every contact recovery may use, self-enrolled ones included: a takeover must reach all of them.
        account = recovery_account(self._deps.database, self._deps.directory.get(account_id), account_id)
        # The reset page runs outside the chat's turn: the notice is worded in the recovery's language.
        notified = self._deps.notifier.account_changed(account, change, lang) if account else {}
        with self._deps.database.transaction() as session:
            self._deps.audit.record(
                session, f"account.{change}", actor=actor, account_id=account_id, recovery_id=recovery_id,
                notified=notified, **facts,
            )  # fmt: skip
        record.completed(change, *done, finished=now)

    def _requester_subject(self, handle: str) -> str:
        with self._deps.database.transaction() as session:
            return actor(load(session, handle))
