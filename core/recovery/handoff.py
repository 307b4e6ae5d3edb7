"""Hand-off: live-support tickets and alerts, and what an agent may do for a person they verified.

One of RecoveryService's parts (see core/recovery/service.py). Agent actions stand in for self-service verification
(a reset link on the agent's word) or lift its lock for one recovery, so each needs a written reason,
which is audited with the agent's name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.metrics import record
from core.recovery.deps import RecoveryDeps
from core.recovery.standing import AGENT_VOUCHED, load
from core.storage.models import Recovery
from core.support.hours import parse_support_hours
from core.support.tickets import add_person_message, close_by_person, open_ticket, queue_position
from core.types import HandoffReason, NotVerifiedError, Requester, ResetLink, Ticket

__all__ = ["Handoff"]

# The facade's logger name, as before the split, so logging configuration keeps matching.
log = logging.getLogger("core.recovery")


class Handoff:
    """open_ticket, add_to_ticket, leave_ticket, agent_issue_link, agent_override."""

    def __init__(self, deps: RecoveryDeps) -> None:
        self._deps = deps

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
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
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
            self._deps.audit.record(
                session, "handoff.opened", actor=requester.subject, account_id=account_id,
                recovery_id=handle, reason=reason.value, reference=ticket.reference,
            )  # fmt: skip
        hours = parse_support_hours(self._deps.limits.support_hours) if self._deps.limits.support_hours else None
        opens_at = hours.next_opening(now) if hours and not hours.is_open(now) else None
        wait = ticket.position * self._deps.limits.support_minutes_per_ticket
        ticket = replace(ticket, expected_wait_minutes=wait, opens_at=opens_at)
        if ticket.created:
            record.handoff(reason.value)
            self._alert(ticket, requester)
        return ticket

    def _alert(self, ticket: Ticket, requester: Requester) -> None:
        """Tell support a ticket is waiting (Slack channel or email); an alert failing never fails the hand-off."""
        for alert in self._deps.ticket_alerts:
            try:
                alert(ticket, requester)
            except Exception as exc:  # an alert is best effort: the ticket is in the queue regardless
                log.warning("ticket alert failed (%s)", type(exc).__name__)

    def add_to_ticket(self, requester: Requester, text: str) -> Ticket | None:
        """Put what the person said while waiting (redacted by bot/) on their open ticket."""
        with self._deps.database.transaction() as session:
            ticket = add_person_message(session, requester, text, self._deps.clock.now())
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
        with self._deps.database.transaction() as session:
            ticket = close_by_person(session, requester, self._deps.clock.now())
            if ticket is not None:
                self._deps.audit.record(
                    session, "handoff.left", actor=requester.subject, account_id=ticket.account_id,
                    recovery_id=ticket.recovery_id, reference=ticket.reference,
                )  # fmt: skip

    # -- agent actions (an agent verified the person by their own procedure) -------------------------------

    def agent_issue_link(self, handle: str, *, agent: str, reason: str) -> ResetLink:
        """A reset link for the recovery's account, issued on an agent's word, with the reason audited.

        The recovery counts as verified from then on, so the person can ask the bot for a fresh link
        (a channel that shows history later, like the web chat, never stores the link itself)."""
        reason = _required_reason(reason)
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            if recovery.account_id is None:
                raise NotVerifiedError("this recovery names no account")
            if AGENT_VOUCHED not in recovery.verified_steps:
                recovery.verified_steps = [*recovery.verified_steps, AGENT_VOUCHED]
            url, expires_at = self._deps.links.issue(
                session, account_id=recovery.account_id, recovery_id=recovery.id, now=self._deps.clock.now()
            )
            self._deps.audit.record(
                session, "agent.link_issued", actor=f"agent:{agent}", account_id=recovery.account_id,
                recovery_id=handle, reason=reason,
            )  # fmt: skip
        return ResetLink(url=url, expires_at=expires_at)

    def agent_override(self, handle: str, *, agent: str, reason: str) -> None:
        """Let this recovery verify by code again although self-service is locked (the agent vouches)."""
        reason = _required_reason(reason)
        with self._deps.database.transaction() as session:
            recovery = load(session, handle)
            recovery.agent_override = True
            self._deps.audit.record(
                session, "agent.override", actor=f"agent:{agent}", account_id=recovery.account_id,
                recovery_id=handle, reason=reason,
            )  # fmt: skip


def _required_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValueError("a reason of at least a few words is required for the audit trail")
    return reason[:500]
