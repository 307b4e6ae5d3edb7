"""Email adapters for the `EmailSender` port: the database outbox (demo) and SMTP (smtplib).

Bodies carry one-time codes and reset links, so they are never logged and never put in an exception:
a failure becomes `DeliveryError("email", <stage and reason>)` raised `from None`.
"""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid, parseaddr

from core.clock import Clock
from core.delivery.outbox import Outbox
from core.delivery.ports import DeliveryError, EmailMessage
from core.storage.db import Database

__all__ = ["OutboxEmailSender", "SmtpEmailSender"]


class OutboxEmailSender:
    """Keeps each email in `outbox_messages`, shown on the demo outbox page."""

    name = "outbox"

    def __init__(self, database: Database, clock: Clock) -> None:
        self._outbox = Outbox(database, clock)

    def send(self, message: EmailMessage) -> None:
        self._outbox.keep("email", message.to, message.body, subject=message.subject)


class SmtpEmailSender:
    """Sends through an SMTP server: STARTTLS when asked (certificate verified), AUTH when a username is set."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        sender: str,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.starttls = starttls
        self.sender = sender
        self.timeout = timeout
        # smtplib's own default context skips certificate checks; verify against the system store instead.
        self._ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        mime = self._build(message)
        stage = "connect"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    stage = "starttls"
                    smtp.starttls(context=self._ssl_context)
                if self.username:
                    stage = "login"
                    smtp.login(self.username, self._password or "")
                stage = "send"
                smtp.send_message(mime)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError("email", f"{stage}: {_describe(exc)}") from None

    def _build(self, message: EmailMessage) -> MimeMessage:
        mime = MimeMessage()
        mime["From"] = self.sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = formatdate(usegmt=True)
        mime["Message-ID"] = make_msgid(domain=_domain_of(self.sender))
        mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
        mime.set_content(message.body)
        return mime


def _domain_of(sender: str) -> str:
    """The sender's domain for Message-ID (make_msgid would otherwise do a DNS lookup of this host)."""
    address = parseaddr(sender)[1]
    try:
        return Address(addr_spec=address).domain or "localhost"
    except (ValueError, IndexError):
        return "localhost"


def _describe(exc: BaseException) -> str:
    """A short reason naming what went wrong; server replies are reduced to their code."""
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return str(exc).rstrip(".")  # smtplib's fixed text, e.g. "STARTTLS extension not supported by server"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        return f"recipient refused ({', '.join(codes)})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server replied {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib turns a read timeout into "Connection unexpectedly closed"; the cause tells them apart.
        return "timed out" if isinstance(exc.__context__, TimeoutError) else "server disconnected"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "server certificate not trusted"
    if isinstance(exc, ssl.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return type(exc).__name__
