"""The outbox both outbox senders share: a database that refuses the row is a DeliveryError without the body."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.delivery.email import OutboxEmailSender
from core.delivery.ports import DeliveryError, EmailMessage
from core.delivery.sms import OutboxSmsSender
from core.storage.db import Database
from tests.support import FakeClock


def test_a_refused_write_is_a_delivery_error_that_never_quotes_the_message(tmp_path: Path) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no outbox table: every insert fails
    clock = FakeClock()
    try:
        with pytest.raises(DeliveryError) as email_error:
            OutboxEmailSender(unmigrated, clock).send(EmailMessage("a@example.com", "Code", "code 123456"))
        with pytest.raises(DeliveryError) as sms_error:
            OutboxSmsSender(unmigrated, clock).send("+15555550101", "code 654321")
    finally:
        unmigrated.dispose()
    assert (email_error.value.channel, sms_error.value.channel) == ("email", "sms")
    for error in (email_error.value, sms_error.value):
        assert "123456" not in str(error) and "654321" not in str(error)
        assert error.__cause__ is None and error.__suppress_context__
