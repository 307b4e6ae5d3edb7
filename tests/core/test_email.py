"""Email adapters: the outbox stores rows; SMTP really talks to an aiosmtpd server (plain and STARTTLS)."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import select

from core.delivery.email import OutboxEmailSender, SmtpEmailSender
from core.delivery.ports import DeliveryError, EmailMessage
from core.storage.db import Database
from core.storage.models import OutboxMessage
from tests.fakes.smtp_server import SMTP_PASSWORD, SMTP_USERNAME, FakeSmtpServer
from tests.support import FakeClock

SENDER = "ResetDesk <resetdesk@example.test>"
CODE_BODY = "Your ResetDesk code is 482913. It expires in 10 minutes."
MESSAGE = EmailMessage(to="ana.lima@example.test", subject="Your verification code", body=CODE_BODY)


def plain_sender(server: FakeSmtpServer, **overrides: object) -> SmtpEmailSender:
    options: dict[str, object] = {"starttls": False, "sender": SENDER, "timeout": 5.0, **overrides}
    return SmtpEmailSender(server.host, server.port, **options)  # type: ignore[arg-type]


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_outbox_stores_the_message(database: Database, clock: FakeClock) -> None:
    sender = OutboxEmailSender(database, clock)
    sender.send(MESSAGE)
    with database.transaction() as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert sender.name == "outbox"
    assert [(r.kind, r.recipient, r.subject, r.body, r.created_at) for r in rows] == [
        ("email", "ana.lima@example.test", "Your verification code", CODE_BODY, clock.now())
    ]


def test_smtp_delivers_with_headers_and_body(smtp_server: FakeSmtpServer) -> None:
    sender = plain_sender(smtp_server)
    sender.send(MESSAGE)
    [received] = smtp_server.wait_for(1)
    assert sender.name == "smtp"
    assert received["To"] == "ana.lima@example.test"
    assert received["From"] == SENDER
    assert received["Subject"] == "Your verification code"
    assert received["Message-ID"].endswith("@example.test>")
    assert received["Date"]
    assert received.get_content().strip() == CODE_BODY
    assert smtp_server.envelopes == [("resetdesk@example.test", ["ana.lima@example.test"])]


def test_non_ascii_subject_and_body_survive(smtp_server: FakeSmtpServer) -> None:
    plain_sender(smtp_server).send(EmailMessage(to="joao@example.test", subject="Código", body="Olá, João"))
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Código"
    assert received.get_content().strip() == "Olá, João"


def test_starttls_required_but_not_offered_fails_without_sending(smtp_server: FakeSmtpServer) -> None:
    with pytest.raises(DeliveryError) as failure:
        plain_sender(smtp_server, starttls=True).send(MESSAGE)
    assert failure.value.channel == "email"
    assert failure.value.reason.startswith("starttls:")
    assert smtp_server.messages == []


def test_starttls_and_login_deliver(smtp_tls_server: FakeSmtpServer) -> None:
    sender = plain_sender(
        smtp_tls_server,
        starttls=True,
        username=SMTP_USERNAME,
        password=SMTP_PASSWORD,
        ssl_context=smtp_tls_server.client_context,
    )
    sender.send(MESSAGE)
    [received] = smtp_tls_server.wait_for(1)
    assert received.get_content().strip() == CODE_BODY
    assert smtp_tls_server.logins == [SMTP_USERNAME]


def test_starttls_verifies_the_certificate_by_default(smtp_tls_server: FakeSmtpServer) -> None:
    # The test certificate is self-signed: the system trust store must refuse it.
    sender = plain_sender(smtp_tls_server, starttls=True, username=SMTP_USERNAME, password=SMTP_PASSWORD)
    with pytest.raises(DeliveryError, match="starttls: server certificate not trusted"):
        sender.send(MESSAGE)
    assert smtp_tls_server.messages == []


def test_wrong_password_is_a_delivery_error(smtp_tls_server: FakeSmtpServer) -> None:
    sender = plain_sender(
        smtp_tls_server,
        starttls=True,
        username=SMTP_USERNAME,
        password="wrong",
        ssl_context=smtp_tls_server.client_context,
    )
    with pytest.raises(DeliveryError, match=r"login: authentication failed \(535\)"):
        sender.send(MESSAGE)
    assert smtp_tls_server.messages == []


def test_server_refusal_is_a_delivery_error_without_the_body(smtp_server: FakeSmtpServer) -> None:
    smtp_server.reject_with = "451 4.3.0 Try again later"
    with pytest.raises(DeliveryError) as failure:
        plain_sender(smtp_server).send(MESSAGE)
    assert failure.value.reason == "send: server replied 451"
    assert "482913" not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_server_down_fails_fast_without_the_body() -> None:
    sender = SmtpEmailSender("127.0.0.1", unused_port(), starttls=False, sender=SENDER, timeout=5.0)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failure:
        sender.send(MESSAGE)
    assert time.monotonic() - started < 2
    assert failure.value.reason == "connect: connection refused"
    assert "482913" not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_silent_server_times_out() -> None:
    # A listener that accepts but never greets: the timeout must bound the wait.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        sender = SmtpEmailSender("127.0.0.1", listener.getsockname()[1], starttls=False, sender=SENDER, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="connect: timed out"):
            sender.send(MESSAGE)
    assert time.monotonic() - started < 2
