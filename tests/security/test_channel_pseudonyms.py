"""Slack and Telegram user ids appear in logs and the audit trail only as keyed pseudonyms (issue 13, finding 1).

A person on each platform walks a recovery to the reset link and asks for a person; every log record (at DEBUG)
and every audit row is then searched for their platform user id. The audit rows name them by the pseudonym,
the same one every time, so an operator can still follow one person's steps.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app import Core, build_engine
from bot.messages import Inbound
from core.secrets.pseudonyms import Pseudonyms
from core.storage.models import AuditEvent
from tests.core.conftest import add_employee, last_outbox_code

PLATFORM_IDS = {"slack": "U024BE7LH", "telegram": "918273645"}


def _pseudonyms(core: Core) -> Pseudonyms:
    secret = core.settings.secret_key
    assert secret is not None
    return Pseudonyms(secret.get_secret_value().encode())


@pytest.mark.parametrize("channel", sorted(PLATFORM_IDS))
def test_platform_user_ids_reach_no_log_line_and_no_audit_row(
    core: Core, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    user_id = PLATFORM_IDS[channel]
    add_employee(core)
    engine = build_engine(core)
    caplog.set_level(logging.DEBUG)
    engine.open(channel, user_id)
    for text in ("I forgot my password", "E1001", "email"):
        engine.handle(Inbound(channel, user_id, text))
    replies = engine.handle(Inbound(channel, user_id, last_outbox_code(core)))
    assert any(reply.link is not None for reply in replies), "the code was not accepted"
    engine.handle(Inbound(channel, user_id, "agent"))  # a hand-off is audited with the requester too

    with core.database.transaction() as session:
        rows = session.execute(select(AuditEvent.actor, AuditEvent.detail)).all()
    assert len(rows) >= 4 and all(user_id not in repr(row) for row in rows)
    expected = f"user:{_pseudonyms(core).pseudonym(channel, user_id)}"
    assert {actor for actor, _ in rows if actor.startswith("user:")} == {expected}
    assert [r.getMessage() for r in caplog.records if user_id in r.getMessage()] == []


def test_pseudonyms_are_keyed_stable_and_separate_channels() -> None:
    one, other = Pseudonyms(b"key one"), Pseudonyms(b"key two")
    assert one.pseudonym("slack", "U1") == one.pseudonym("slack", "U1") != other.pseudonym("slack", "U1")
    assert one.pseudonym("slack", "42") != one.pseudonym("telegram", "42")
    assert one.actor("user:telegram:42") == f"user:{one.pseudonym('telegram', '42')}"
    for kept in ("agent:sam", "system", "reset-page", one.actor("user:slack:U1")):
        assert one.actor(kept) == kept
    assert len(one.chat_key("token")) == 64 and one.chat_key("token") != other.chat_key("token")
