"""Settings: environment variables and `.env`, and start-up errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings


def test_defaults_are_the_design_numbers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = load_settings()
    numbers = (
        settings.code_digits, settings.code_ttl_seconds, settings.code_max_attempts, settings.code_sends_per_hour,
        settings.code_send_interval_seconds, settings.questions_asked, settings.questions_min_enrolled,
        settings.verification_max_failures, settings.verification_window_seconds, settings.reset_token_ttl_seconds,
        settings.password_min_length, settings.password_max_length, settings.password_min_strength,
        settings.password_history, settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism,
    )  # fmt: skip
    assert numbers == (6, 600, 5, 5, 60, 2, 3, 10, 86400, 900, 12, 128, 3, 5, 19456, 2, 1)
    assert settings.policy == "standard" and settings.email_backend == "outbox" and settings.demo_enabled
    assert (settings.retention_days, settings.audit_retention_days, settings.demo_sign_ins_per_minute) == (30, 365, 10)


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("RESETDESK_POLICY=strict\nRESETDESK_CODE_TTL_SECONDS=300\n")
    monkeypatch.setenv("RESETDESK_CODE_TTL_SECONDS", "120")  # the environment wins over .env
    settings = load_settings()
    assert settings.policy == "strict" and settings.code_ttl_seconds == 120


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RESETDESK_POLICY", "lenient", "accepted values are 'standard' or 'strict'"),
        ("RESETDESK_EMAIL_BACKEND", "pigeon", "'outbox' or 'smtp'"),
        ("RESETDESK_SMTP_STARTTLS", "maybe", "true/false"),
        ("RESETDESK_CODE_TTL_SECONDS", "soon", "valid integer"),
        ("RESETDESK_ARGON2_MEMORY_KIB", "1024", "greater than or equal to 19456"),
        ("RESETDESK_PUBLIC_URL", "reset.example.com", "absolute http"),
        ("RESETDESK_DATABASE_URL", "mysql://x", "sqlite:/// or postgresql"),
    ],
)
def test_a_wrong_value_names_the_variable_and_what_it_accepts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert variable in str(raised.value) and expected in str(raised.value)


def test_twilio_needs_its_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESETDESK_SMS_BACKEND", "twilio")
    with pytest.raises(SettingsError, match="RESETDESK_TWILIO_ACCOUNT_SID"):
        load_settings()


def test_plain_postgresql_urls_use_psycopg3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESETDESK_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert load_settings().database_url == "postgresql+psycopg://postgres@127.0.0.1/test"
