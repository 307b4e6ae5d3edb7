"""The audit export: every audit row since a date, as CSV or JSON Lines, for a compliance reviewer.

Streamed: rows come from a server-side cursor (PostgreSQL) or SQLite's lazy cursor in batches of
`BATCH_ROWS`, and each batch leaves as one text chunk, so 1M rows never sit in memory (bench/audit_export.py).

Each row says when (UTC), what (in words), the channel, the pseudonymous actor, which account and the
outcome, plus whitelisted facts (method, reason, reference...). The account is the *employee ID*: it is what
a reviewer can follow up with HR or in the directory, while ResetDesk's internal account id means nothing
outside its database and dies with the row when an account is removed (the id is then shown as `#<id>`).
LDAP/AD people have no employee ID in ResetDesk, so they are named by the directory's stable id
(`ldap:<entryUUID>` / `ad:<objectGUID>`), which a directory administrator can search for.
A recovery is named by a hash of its handle, enough to group its rows, never the handle itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Row, select

from core.storage.db import Database
from core.storage.models import Account, AuditEvent, Recovery

__all__ = ["BATCH_ROWS", "COLUMNS", "describe", "iter_audit_export"]

BATCH_ROWS = 2000
COLUMNS = ("at", "event", "description", "channel", "actor", "account", "recovery", "outcome", "details")
# Detail keys that are facts safe to show; anything else a future event adds stays out until listed here.
_FACTS = ("purpose", "method", "reason", "reference", "complete", "locked", "seconds", "count", "methods",
          "messages", "notices", "notified", "username")  # fmt: skip
_WORDS = {
    "recovery.started": "Recovery started",
    "recovery.abandoned": "Recovery abandoned (cancelled or restarted)",
    "code.sent": "Verification code sent",
    "code.checked": "Verification code checked",
    "code.delivery_failed": "Verification code could not be delivered",
    "code.not_on_file": "Code requested for a contact not on file",
    "verification.passed": "Verification step passed",
    "verification.failed": "Verification step failed",
    "link.issued": "Reset link issued",
    "account.password_reset": "Password reset",
    "account.unlocked": "Account unlocked",
    "handoff.opened": "Handed off to IT support (ticket opened)",
    "handoff.left": "Person left the support queue",
    "agent.created": "Support agent created",
    "agent.sign_in": "Support agent sign-in",
    "agent.session_started": "Support agent session started",
    "agent.took_ticket": "Support agent took a ticket",
    "agent.closed_ticket": "Support agent closed a ticket",
    "agent.link_issued": "Support agent sent a reset link",
    "agent.override": "Support agent verified the person by the support procedure",
    "agent.sent_code": "Support agent sent a verification code",
    "enroll.sign_in": "Signed in to manage recovery methods",
    "enroll.contact_code_sent": "Code sent to confirm a new contact",
    "enroll.contact_code_wrong": "Wrong code for a new contact",
    "enroll.contact_confirmed": "New contact confirmed",
    "enroll.questions_set": "Security questions set",
    "enroll.method_removed": "Recovery method removed",
    "enroll.reconfirmed": "Recovery methods reconfirmed",
    "enroll.nudged": "Reminded to add recovery methods",
    "enrollment.signed_in_after_reset": "Signed in to enrollment after a reset",
}
_OUTCOMES = {
    "verification.passed": "passed", "verification.failed": "failed", "code.sent": "sent",
    "code.delivery_failed": "failed", "code.not_on_file": "unavailable", "link.issued": "issued",
    "account.password_reset": "done", "account.unlocked": "done", "recovery.abandoned": "abandoned",
    "handoff.opened": "handed off", "enroll.contact_code_wrong": "wrong", "enroll.contact_confirmed": "confirmed",
}  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as a formula


def describe(event: str) -> str:
    """An event in words; an event not listed yet reads like "Agent: returned ticket"."""
    if event in _WORDS:
        return _WORDS[event]
    kind, _, rest = event.partition(".")
    return f"{kind.capitalize()}: {rest.replace('_', ' ')}" if rest else event


def iter_audit_export(database: Database, since: datetime, fmt: Literal["csv", "jsonl"]) -> Iterator[str]:
    """Audit rows at or after `since` (naive UTC, or aware), oldest first, as text chunks: for CSV the header
    first. The database connection stays open until the iterator is exhausted or closed."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    if since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)  # audit times are stored as naive UTC
    render = _csv_chunk if fmt == "csv" else _jsonl_chunk
    if fmt == "csv":
        yield _csv_chunk([dict(zip(COLUMNS, COLUMNS, strict=True))])
    for batch in _batches(database, since):
        yield render(_readable(row) for row in batch)


def _batches(database: Database, since: datetime) -> Iterator[list[Row[Any]]]:
    query = (
        select(AuditEvent.id, AuditEvent.at, AuditEvent.event, AuditEvent.actor, AuditEvent.account_id,
               AuditEvent.recovery_id, AuditEvent.detail, Account.employee_id, Recovery.channel)
        .outerjoin(Account, Account.id == AuditEvent.account_id)
        .outerjoin(Recovery, Recovery.id == AuditEvent.recovery_id)  # purged sooner than audit: often gone
        .where(AuditEvent.at >= since)
        .order_by(AuditEvent.at, AuditEvent.id)
    )  # fmt: skip
    with database.engine.connect() as connection:
        # yield_per: a server-side cursor on PostgreSQL (psycopg named cursor), fetchmany batches on SQLite.
        result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
        for partition in result.partitions():
            yield list(partition)


def _readable(row: Row[Any]) -> dict[str, Any]:
    detail: dict[str, Any] = row.detail if isinstance(row.detail, dict) else {}
    facts = {key: detail[key] for key in _FACTS if key in detail}
    return {
        "at": row.at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{row.at.microsecond // 1000:03d}Z",
        "event": row.event,
        "description": describe(row.event),
        "channel": str(detail.get("channel") or row.channel or _channel_of(row.actor)),
        "actor": row.actor,
        "account": _account(row.account_id, row.employee_id),
        "recovery": hashlib.sha256(row.recovery_id.encode()).hexdigest()[:12] if row.recovery_id else "",
        "outcome": _outcome(row.event, detail),
        "details": facts,  # an object in JSON Lines, JSON text in a CSV cell
    }


def _channel_of(actor: str) -> str:
    kind, _, rest = actor.partition(":")  # user:<channel>:~<pseudonym>; agents act in the console
    if kind == "user":
        return rest.partition(":")[0]
    return "console" if kind == "agent" else ""


def _account(account_id: int | None, employee_id: str | None) -> str:
    if account_id is None:
        return ""  # an identifier that matched nobody, or an event about no account
    if employee_id is None:
        return f"#{account_id}"
    if employee_id.startswith("~"):  # an LDAP/AD anchor: "~ldap:<stable id>" (core/directory/keys.py)
        return employee_id[1:]
    return employee_id


def _outcome(event: str, detail: dict[str, Any]) -> str:
    if "outcome" in detail:
        return str(detail["outcome"])
    if "success" in detail:
        return "success" if detail["success"] else "failure"
    if event == "verification.passed" and detail.get("complete") is False:
        return "step passed"
    return _OUTCOMES.get(event, "")


def _csv_chunk(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(_cell(row[column]) for column in COLUMNS)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""
    # OWASP CSV injection: a leading ' makes a spreadsheet show the text instead of evaluating it.
    return "'" + value if value.startswith(_FORMULA_START) else value


def _jsonl_chunk(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
