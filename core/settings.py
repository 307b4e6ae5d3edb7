"""One typed settings object, read from RESETDESK_* environment variables and an optional `.env`.

Every security number of the design is a field here, so an operator can tune it and a test can pin it.
A wrong value stops start-up with a `SettingsError` naming the variable and what it accepts.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.directory.settings import DirectorySettings
from core.i18n import DEFAULT_LANGUAGES, language_list
from core.secrets.breached import pwned_passwords_path

__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "is_loopback_url", "load_settings"]

ENV_PREFIX = "RESETDESK_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'resetdesk.db'}"

# OWASP's floor for argon2id; lower values are refused (tests build cheap settings with model_copy).
ARGON2_MIN_MEMORY_KIB = 19456
ARGON2_MIN_TIME_COST = 2


class SettingsError(Exception):
    """A setting has a value ResetDesk cannot run with; the message names the variable."""


class Settings(DirectorySettings, BaseSettings):  # the directory's fields: core/directory/settings.py
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # Wiring
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str = "http://127.0.0.1:5000"  # unset: `app.py` commands point links at host:port below
    host: str = "127.0.0.1"  # where `app.py run` listens (--host/--port win)
    port: int = Field(5000, ge=0, le=65535)  # 0: any free port, printed at start-up
    secret_key: SecretStr | None = None
    policy: Literal["standard", "strict"] = "standard"
    # Which methods a person is offered: those on file (`enrolled`), or every method of the policy to everyone
    # (`all`), so the offer says nothing about an account; a method not on file then fails when chosen.
    method_disclosure: Literal["enrolled", "all"] = "enrolled"
    # Demo pages (/demo/outbox shows every code sent): on when true, or when unset and the public URL is a
    # loopback address (a developer's machine). Never inferred from the delivery backends.
    demo: bool | None = None

    # Email delivery
    email_backend: Literal["outbox", "smtp"] = "outbox"
    smtp_host: str = "localhost"
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "ResetDesk <resetdesk@localhost>"
    smtp_timeout_seconds: float = Field(10.0, gt=0)

    # SMS delivery (Twilio Messages API)
    sms_backend: Literal["outbox", "twilio"] = "outbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_api_url: str | None = None  # override https://api.twilio.com, for tests and regional edges
    sms_timeout_seconds: float = Field(10.0, gt=0)

    # Provider circuit breaker: after N consecutive failures a provider is skipped for a while.
    breaker_failure_threshold: int = Field(3, ge=1)
    breaker_cooldown_seconds: int = Field(120, ge=1)
    # Delivery queue: tries per message, the first retry's delay (doubled each time), the worker's idle poll.
    delivery_max_attempts: int = Field(3, ge=1)
    delivery_retry_seconds: float = Field(5.0, gt=0)
    delivery_poll_seconds: float = Field(0.5, gt=0)

    # Chat channels (used by the channel issues; a channel is on when its credentials are set)
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    # False in production: Slack gets its ack at once and the turn runs after it (Slack wants one within 3 s).
    slack_process_before_response: bool = False
    support_slack_channel: str | None = None
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str | None = None
    support_hours: str | None = None  # e.g. "Mon-Fri 08:00-18:00 Europe/Berlin"; unset = always staffed
    support_email: str | None = None  # where new-ticket alerts go when Slack is not set up
    support_minutes_per_ticket: int = Field(5, ge=1)  # for the expected wait told to people in the queue

    # One-time codes
    code_digits: int = Field(6, ge=6, le=10)
    code_ttl_seconds: int = Field(600, ge=60)
    code_max_attempts: int = Field(5, ge=1)
    code_sends_per_hour: int = Field(5, ge=1)
    code_send_interval_seconds: int = Field(60, ge=0)
    # The email domain shown for a code "sent" where no address is on file (unset: the most common one).
    code_decoy_email_domain: str | None = Field(None, pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")

    # Challenge questions
    questions_asked: int = Field(2, ge=1)
    questions_min_enrolled: int = Field(3, ge=1)

    # Verification failures lock self-service verification (not the account) for a while
    verification_max_failures: int = Field(10, ge=1)
    verification_window_seconds: int = Field(24 * 3600, ge=60)

    # Reset links and the new password
    reset_token_ttl_seconds: int = Field(900, ge=60)
    reset_links_per_verification: int = Field(3, ge=1)  # a stolen chat can't mint links without end
    password_min_length: int = Field(12, ge=8)
    password_max_length: int = Field(128, ge=64)
    password_min_strength: int = Field(3, ge=0, le=4)
    password_history: int = Field(5, ge=0)
    # The shipped list of common breached passwords is always refused; this adds the full Pwned Passwords file.
    breached_passwords_file: Annotated[Path | None, BeforeValidator(pwned_passwords_path)] = None
    reset_checks_per_minute: int = Field(60, ge=1)  # the reset page's live checks per reset session
    portal_url: str | None = None  # the portal's sign-in page, linked from "password changed"; unset = text only

    # argon2id for passwords and answers
    argon2_memory_kib: int = Field(ARGON2_MIN_MEMORY_KIB, ge=ARGON2_MIN_MEMORY_KIB)
    argon2_time_cost: int = Field(ARGON2_MIN_TIME_COST, ge=ARGON2_MIN_TIME_COST)
    argon2_parallelism: int = Field(1, ge=1)

    # Request limits per client address (and per chat session), per minute unless named otherwise
    # Per session is the real defence; per address is a backstop sized for an office behind one NAT address
    # (hundreds of people, each page polling every 3 s), not for one person.
    chat_messages_per_minute: int = Field(20, ge=1)  # per chat session
    chat_polls_per_minute: int = Field(60, ge=1)  # per chat session: GET for later replies
    chat_requests_per_minute: int = Field(12000, ge=1)  # per address, all chat API calls
    chat_sessions_per_minute: int = Field(600, ge=1)  # new chat sessions per address
    reset_requests_per_minute: int = Field(1200, ge=1)  # reset page views, submits and checks per address
    agent_sign_ins_per_5_minutes: int = Field(10, ge=1)  # console sign-in attempts per address
    # Per agent account, whatever the address (password and code steps both count)
    agent_account_sign_ins_per_15_minutes: int = Field(10, ge=1)
    # Proxies in front of the app (load balancer, ingress): their X-Forwarded-For/-Proto hops are trusted, so
    # limits apply per real client instead of to the whole site at the proxy's address. 0 = none.
    trusted_proxies: int = Field(0, ge=0, le=5)
    # GET /metrics wants `Authorization: Bearer <this>`; unset, it answers loopback clients only.
    metrics_token: SecretStr | None = None

    # Agent console sessions (server-side) and two-factor. MFA unset = required, or optional in demo mode.
    agent_idle_minutes: int = Field(15, ge=1)
    agent_session_hours: int = Field(8, ge=1)
    agent_mfa: Literal["required", "optional", "off"] | None = None

    # Conversations (dialog issue)
    conversation_idle_seconds: int = Field(30 * 60, ge=60)
    # Languages offered ("en,es,de"; each but en needs translations/<lang>/), and the one used when no channel
    # hint (page language, Slack/Telegram locale, --lang) names one of them.
    languages: Annotated[tuple[str, ...], NoDecode, BeforeValidator(language_list)] = DEFAULT_LANGUAGES
    default_language: str = "en"

    # Directory (issue 14): where accounts and passwords live. `sql` is ResetDesk's own table (the default);
    # Retention (`python app.py purge`): conversations, chat history, closed tickets and recovery records
    # older than retention_days are deleted; audit events older than audit_retention_days.
    retention_days: int = Field(30, ge=1)
    audit_retention_days: int = Field(365, ge=1)
    demo_sign_ins_per_minute: int = Field(10, ge=1)  # /demo/login attempts per address and per identifier
    reenroll_days: int = Field(180, ge=1)  # enrollment: people are asked to reconfirm their methods after this
    nudge_interval_days: int = Field(30, ge=1)  # nudge-enrollment never messages one person twice within it

    @field_validator("public_url", "portal_url")
    @classmethod
    def _url_is_absolute(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.field_name == "portal_url":
            return None  # optional
        if not (value or "").startswith(("http://", "https://")):
            raise ValueError("must be an absolute http:// or https:// URL")
        return (value or "").rstrip("/")

    @field_validator("default_language")
    @classmethod
    def _default_is_offered(cls, value: str, info: ValidationInfo) -> str:
        if value.lower() not in info.data.get("languages", ()):
            raise ValueError("must be one of RESETDESK_LANGUAGES")
        return value.lower()

    @field_validator("support_hours")
    @classmethod
    def _support_hours_parse(cls, value: str | None) -> str | None:
        if value:
            from core.support.hours import parse_support_hours

            parse_support_hours(value)  # raises ValueError with the accepted form
        return value or None

    @field_validator("database_url")
    @classmethod
    def _database_url_is_supported(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def demo_enabled(self) -> bool:
        if self.demo is not None:
            return self.demo
        return is_loopback_url(self.public_url)

    @property
    def agent_mfa_mode(self) -> Literal["required", "optional", "off"]:
        """required: every agent signs in with a TOTP code (enrolling at first sign-in if need be); optional:
        only agents who enrolled; off: never (demo mode only)."""
        if self.agent_mfa is not None:
            return self.agent_mfa
        return "optional" if self.demo_enabled else "required"

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is localhost, 127.0.0.0/8 or ::1: a developer's machine, not a deployment."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(error: dict[str, Any]) -> str:
    field = str(error["loc"][0]) if error["loc"] else "?"
    variable = ENV_PREFIX + field.upper()
    message = error["msg"]
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"accepted values are {expected}"
    elif error["type"].startswith("bool"):
        message = "accepted values are true/false, 1/0, yes/no, on/off"
    # Secret fields are SecretStr, which accept any text; a database URL may carry a password.
    shown = "(hidden)" if field in ("database_url", "ldap_bind_password") else repr(error.get("input"))
    return f"{variable}={shown}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and `.env`), raising SettingsError with readable reasons."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        reasons = "\n".join("  " + _describe(dict(e)) for e in exc.errors())
        raise SettingsError(f"ResetDesk cannot start; fix these settings:\n{reasons}") from None
    if settings.agent_mfa == "off" and not settings.demo_enabled:
        raise SettingsError("ResetDesk cannot start; RESETDESK_AGENT_MFA=off is only allowed in demo mode")
    if settings.sms_backend == "twilio":
        missing = [
            ENV_PREFIX + name.upper()
            for name in ("twilio_account_sid", "twilio_auth_token", "twilio_from_number")
            if getattr(settings, name) is None
        ]
        if missing:
            raise SettingsError(f"ResetDesk cannot start; RESETDESK_SMS_BACKEND=twilio needs {', '.join(missing)}")
    _check_directory(settings)
    return settings


def _check_directory(settings: Settings) -> None:
    """With an LDAP directory, the connection values are required (named; the password is never shown)."""
    if settings.directory == "sql":
        return
    needed = ("ldap_url", "ldap_bind_dn", "ldap_bind_password", "ldap_base_dn")
    missing = [ENV_PREFIX + name.upper() for name in needed if not getattr(settings, name)]
    if missing:
        raise SettingsError(
            f"ResetDesk cannot start; RESETDESK_DIRECTORY={settings.directory} needs {', '.join(missing)}"
        )
    if settings.ldap_url and settings.ldap_url.startswith("ldap://") and settings.ldap_allow_plaintext:
        logging.getLogger("core.settings").warning(
            "RESETDESK_LDAP_ALLOW_PLAINTEXT=true: the directory is used over plain ldap:// WITHOUT TLS, so the "
            "service account's and people's passwords cross the network readable (for tests only)"
        )
