"""Audit rows with known counts for the reports page: every figure of core/reports has rows here that count
toward it and rows that must not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import Core
from core.storage.models import AuditEvent
from core.types import Method, Requester, ResetStatus
from tests.core.conftest import last_outbox_code
from tests.support.clock import FakeClock

__all__ = ["one_reset", "seed_audit"]

DAY = timedelta(days=1)


def seed_audit(core: Core) -> None:
    """Audit rows with known figures (tests/core/test_reports.py spells them out), written at the core's clock."""
    now = core.clock.now()
    rows: list[dict[str, Any]] = []

    def row(event: str, ago: timedelta, rid: str | None = None, account: int | None = None, actor: str = "p:x",
            **detail: Any) -> None:  # fmt: skip
        rows.append(
            {"at": now - ago, "event": event, "actor": actor, "account_id": account, "recovery_id": rid,
             "detail": detail}
        )  # fmt: skip

    def started(rid: str, ago: timedelta, account: int | None = None, actor: str = "p:x") -> None:
        row("recovery.started", ago, rid, account, actor, channel="web")

    def done(rid: str, method: str, channel: str, seconds: int, account: int, event: str = "password_reset") -> None:
        row(f"account.{event}", DAY, rid, account, "reset-page", method=method, channel=channel, seconds=seconds)

    for rid in ("r1", "r2", "r3"):
        started(rid, 2 * DAY, account=21)
    for rid in ("r4", "r7"):
        started(rid, 2 * DAY, account=22)
    for rid in ("r5", "r6", "r8"):
        started(rid, 2 * DAY, actor="p:nobody")  # an identifier that matched nobody, three times
    started("r9", 10 * DAY, account=22)  # only in the 30-day report
    done("r1", "email", "web", 60, 21)
    done("r2", "sms", "slack", 120, 21, event="unlocked")
    done("r3", "email+questions", "web", 300, 21)
    row("handoff.opened", DAY, "r4", 22, reason="no_method")
    done("r4", "agent", "web", 900, 22)  # an agent's link: handed off, not completed on their own
    row("handoff.opened", DAY, "r5", reason="asked")
    row("handoff.opened", DAY, None, reason="asked")  # asked for a person before any recovery began
    row("recovery.abandoned", DAY, "r6")
    done("r7", "email", "telegram", 30, 22)
    row("recovery.abandoned", DAY, "r7")  # "start over" after the reset: still completed
    row("account.password_reset", 9 * DAY, "r9", 22, method="questions", channel="web", seconds=45)
    failures = [("sms", False, 11), ("sms", True, 11), ("email", False, 13), ("questions", False, 12),
                ("questions", True, 12), ("questions", True, 12)]  # fmt: skip
    for method, locked, account in failures:
        row("verification.failed", DAY, "r1", account, method=method, locked=locked)
    row("verification.failed", DAY, "r8", method="code", locked=False)  # a row from before methods were recorded
    row("verification.failed", 20 * DAY, "r0", 14, method="questions", locked=True)
    row("agent.sign_in", DAY, actor="agent:sam", success=True)  # not a recovery: counted nowhere
    with core.database.transaction() as session:
        session.execute(AuditEvent.__table__.insert(), rows)


def one_reset(core: Core, clock: FakeClock) -> None:
    """E1001 (already on file) resets by an email code, 150 s from start to done: a completed recovery, so the
    reports have rows, labels and a duration to show."""
    handle = core.recovery.start("E1001", Requester("web", "someone"))
    core.recovery.send_code(handle, Method.EMAIL)
    core.recovery.verify_code(handle, last_outbox_code(core))
    token = core.recovery.issue_reset_link(handle).url.rsplit("/", 1)[1]
    clock.advance(150)
    new = "a fresh and long passphrase 77"
    assert core.recovery.complete_reset(token, new, new).status is ResetStatus.DONE
