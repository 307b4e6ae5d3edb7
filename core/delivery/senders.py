"""The email and SMS senders the settings ask for: a provider (SMTP, Twilio) or the outbox (demo, tests)."""

from __future__ import annotations

from core.clock import Clock
from core.delivery.email import OutboxEmailSender, SmtpEmailSender
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.sms import OutboxSmsSender, TwilioSmsSender
from core.settings import Settings
from core.storage.db import Database

__all__ = ["email_sender_for", "sms_sender_for"]


def email_sender_for(settings: Settings, database: Database, clock: Clock) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpEmailSender(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        )
    return OutboxEmailSender(database, clock)


def sms_sender_for(settings: Settings, database: Database, clock: Clock) -> SmsSender:
    if settings.sms_backend == "twilio":
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
        return TwilioSmsSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_from_number,
            api_url=settings.twilio_api_url,
            timeout=settings.sms_timeout_seconds,
        )
    return OutboxSmsSender(database, clock)
