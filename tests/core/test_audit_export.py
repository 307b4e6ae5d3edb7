"""The audit export (core/reports/export.py): what a reviewer reads in the CSV and JSON Lines, on SQLite and
PostgreSQL, in batches from the database."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app import Core
from core.audit import Audit
from core.reports import export
from core.reports.export import COLUMNS, iter_audit_export
from core.secrets.pseudonyms import Pseudonyms
from core.storage.models import Recovery
from tests.core.conftest import add_employee
from tests.support import FakeClock

SINCE = datetime(2026, 1, 1)


def _audit(core: Core) -> Audit:
    """The audit as recovery writes it: channel user ids become keyed pseudonyms."""
    secret = core.settings.secret_key
    assert secret is not None
    return Audit(core.clock, Pseudonyms(secret.get_secret_value().encode()))


def _seed(core: Core, clock: FakeClock) -> int:
    """A short recovery on the web chat, an agent's action with a hostile reason, and an old row."""
    account_id = add_employee(core, "E4242")
    audit = _audit(core)
    with core.database.transaction() as session:
        audit.record(session, "agent.sign_in", actor="agent:old", success=True)  # before SINCE: left out
        clock.advance(days=30)
        session.add(Recovery(id="handle-abc", account_id=account_id, subject=f"account:{account_id}",
                             purpose="reset", channel="slack", channel_user="U1", created_at=clock.now()))  # fmt: skip
        session.flush()
        audit.record(session, "recovery.started", actor="user:web:chat-key-1", account_id=account_id,
                     recovery_id="handle-abc", purpose="reset")  # fmt: skip
        clock.advance(seconds=1.25)
        audit.record(session, "code.sent", actor="system", account_id=account_id, recovery_id="handle-abc",
                     method="email")  # fmt: skip
        audit.record(session, "verification.passed", actor="user:web:chat-key-1", account_id=account_id,
                     recovery_id="handle-abc", method="email", complete=True)  # fmt: skip
        audit.record(session, "account.password_reset", actor="reset-page", account_id=account_id,
                     recovery_id="handle-abc", notified=2, secret_thing="never exported")  # fmt: skip
        audit.record(session, "agent.override", actor="agent:sam", account_id=account_id,
                     recovery_id="handle-abc", reason="=HYPERLINK(\"http://evil\")")  # fmt: skip
        audit.record(session, "recovery.started", actor="user:telegram:42", account_id=None,
                     recovery_id="handle-unknown", purpose="unlock")  # fmt: skip
    return account_id


def _csv(core: Core) -> list[dict[str, str]]:
    text = "".join(iter_audit_export(core.database, SINCE, "csv"))
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_rows_read_as_when_what_channel_actor_account_outcome(core: Core, clock: FakeClock) -> None:
    clock._now = datetime(2025, 12, 20, 8, 0, 0)
    _seed(core, clock)
    rows = _csv(core)
    assert [r["event"] for r in rows] == [
        "recovery.started", "code.sent", "verification.passed", "account.password_reset", "agent.override",
        "recovery.started",
    ]  # fmt: skip
    started, sent, passed, reset, override, unknown = rows
    assert list(started) == list(COLUMNS)
    assert started["at"] == "2026-01-19T08:00:00.000Z" and sent["at"] == "2026-01-19T08:00:01.250Z"
    assert started["description"] == "Recovery started" and reset["description"] == "Password reset"
    # The recovery row's channel wins over the actor's (the row was made on Slack for this test).
    assert started["channel"] == "slack" and override["channel"] == "slack"
    assert unknown["channel"] == "telegram"  # no recovery row: read from the actor
    assert started["account"] == "E4242" and unknown["account"] == ""
    assert started["actor"].startswith("user:web:~") and "chat-key-1" not in started["actor"]
    assert passed["outcome"] == "passed" and reset["outcome"] == "done" and sent["outcome"] == "sent"
    assert json.loads(passed["details"]) == {"complete": True, "method": "email"}
    assert json.loads(reset["details"]) == {"notified": 2}  # an unlisted detail key stays out
    assert started["recovery"] == sent["recovery"] != unknown["recovery"]
    assert len(started["recovery"]) == 12 and "handle" not in started["recovery"]
    # CSV injection: the agent's reason is inside a JSON cell; cells themselves starting with = are quoted.
    assert json.loads(override["details"])["reason"].startswith("=HYPERLINK")


def test_cells_that_a_spreadsheet_would_evaluate_start_with_a_quote(core: Core, clock: FakeClock) -> None:
    clock._now = datetime(2026, 2, 1)
    with core.database.transaction() as session:
        for actor in ("=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "plain"):
            _audit(core).record(session, "agent.sign_in", actor=actor, success=False)
    actors = [r["actor"] for r in _csv(core)]
    assert actors == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "plain"]
    lines = [json.loads(line) for line in "".join(iter_audit_export(core.database, SINCE, "jsonl")).splitlines()]
    assert lines[0]["actor"] == "=cmd|' /C calc'!A0"  # JSON is not a spreadsheet
    assert {line["outcome"] for line in lines} == {"failure"}


def test_jsonl_has_one_object_per_row_with_the_same_fields(core: Core, clock: FakeClock) -> None:
    clock._now = datetime(2025, 12, 20, 8, 0, 0)
    _seed(core, clock)
    lines = "".join(iter_audit_export(core.database, SINCE, "jsonl")).splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 6 and all(list(row) == list(COLUMNS) for row in rows)
    assert rows[2]["details"] == {"complete": True, "method": "email"}
    assert rows[0]["account"] == "E4242" and rows[0]["at"] == "2026-01-19T08:00:00.000Z"
    assert "never exported" not in "\n".join(lines)


def test_a_large_export_leaves_the_database_in_batches(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH_ROWS", 100)
    clock._now = datetime(2026, 3, 1)
    with core.database.transaction() as session:
        for n in range(450):
            _audit(core).record(session, "code.checked", actor="system", outcome="wrong", n=n)
            clock.advance(seconds=1)
    chunks = iter_audit_export(core.database, SINCE, "csv")
    assert next(chunks).startswith("at,event,description,")  # the header comes first, on its own
    sizes = [chunk.count("\r\n") for chunk in chunks]
    assert sizes == [100, 100, 100, 100, 50]


def test_since_filters_and_an_aware_time_is_read_as_utc(core: Core, clock: FakeClock) -> None:
    clock._now = datetime(2026, 1, 10, 12, 0)
    with core.database.transaction() as session:
        _audit(core).record(session, "agent.sign_in", actor="agent:a", success=True)
        clock.advance(hours=2)
        _audit(core).record(session, "agent.sign_in", actor="agent:b", success=True)
    from datetime import UTC, timezone

    plus_two = timezone(timedelta(hours=2))
    later = list(iter_audit_export(core.database, datetime(2026, 1, 10, 14, 0, tzinfo=plus_two), "jsonl"))
    assert [json.loads(line)["actor"] for line in "".join(later).splitlines()] == ["agent:a", "agent:b"]
    only_b = "".join(iter_audit_export(core.database, datetime(2026, 1, 10, 13, 0, tzinfo=UTC), "jsonl"))
    assert [json.loads(line)["actor"] for line in only_b.splitlines()] == ["agent:b"]
    with pytest.raises(ValueError, match="unknown export format"):
        next(iter_audit_export(core.database, SINCE, "xml"))  # type: ignore[arg-type]


def test_postgresql_reads_through_a_server_side_cursor(core: Core, clock: FakeClock) -> None:
    """On PostgreSQL the rows come from a named (server-side) cursor, so the server, not this process, holds
    the result; SQLite's cursor fetches lazily by itself."""
    if core.database.is_sqlite:
        pytest.skip("PostgreSQL only")
    cursors: list[str] = []

    def seen(_conn: object, cursor: object, statement: str, *_: object) -> None:
        if "audit_events" in statement:
            cursors.append(type(cursor).__name__)

    event.listen(core.database.engine, "before_cursor_execute", seen)
    try:
        list(iter_audit_export(core.database, SINCE, "jsonl"))
    finally:
        event.remove(core.database.engine, "before_cursor_execute", seen)
    assert cursors == ["ServerCursor"]
