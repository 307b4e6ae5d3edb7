"""A real SMTP server (aiosmtpd) for tests: `smtp_server` (plain) and `smtp_tls_server` (STARTTLS + AUTH).

aiosmtpd cannot listen on port 0, so a free port is found by binding a socket to 0 first.
The TLS variant uses a throwaway self-signed certificate made with the `openssl` command.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

__all__ = ["SMTP_PASSWORD", "SMTP_USERNAME", "FakeSmtpServer", "smtp_server", "smtp_tls_server"]

HOST = "127.0.0.1"
SMTP_USERNAME = "resetdesk"
SMTP_PASSWORD = "smtp-test-password"


class FakeSmtpServer:
    """Collects what arrives; set `reject_with` (e.g. "451 4.3.0 Try again later") to refuse DATA."""

    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO) per message
        self.logins: list[str] = []
        self.reject_with: str | None = None
        self.client_context: ssl.SSLContext | None = None  # trusts the TLS variant's certificate
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.reject_with:
            return self.reject_with
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 2.0.0 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USERNAME.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 itself

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until `count` messages have arrived; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
                self._arrived.wait(remaining)
            return list(self.messages)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _run(server: FakeSmtpServer, **smtp_kwargs: Any) -> Iterator[FakeSmtpServer]:
    server.port = _free_port()
    # server_hostname avoids a DNS lookup of this machine's name for the greeting.
    controller = Controller(server, hostname=HOST, port=server.port, server_hostname="localhost", **smtp_kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[FakeSmtpServer]:
    """Plain SMTP, no STARTTLS and no AUTH offered."""
    yield from _run(FakeSmtpServer())


@pytest.fixture(scope="session")
def _smtp_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", f"subjectAltName=DNS:localhost,IP:{HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp_tls_server(_smtp_certificate: tuple[Path, Path]) -> Iterator[FakeSmtpServer]:
    """SMTP that requires STARTTLS and offers AUTH (SMTP_USERNAME / SMTP_PASSWORD) only after it."""
    cert, key = _smtp_certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = FakeSmtpServer()
    server.client_context = ssl.create_default_context(cafile=str(cert))
    yield from _run(
        server,
        tls_context=server_context,
        require_starttls=True,
        authenticator=server.authenticate,
    )
