"""Directory settings (named errors, the bind password never shown, the plaintext warning) and
`python app.py check-directory` against a real slapd: what it shows, and its plain reasons for failing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import main
from core.settings import SettingsError, load_settings
from tests.directory.conftest import ldap_settings
from tests.support.slapd import SERVICE_PASSWORD, Slapd


def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, values: dict[str, object]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESETDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'resetdesk.db'}")
    monkeypatch.setenv("RESETDESK_SECRET_KEY", "check-directory-test-key")
    for name, value in values.items():
        monkeypatch.setenv(f"RESETDESK_{name.upper()}", str(value))


def test_ldap_needs_its_connection_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESETDESK_DIRECTORY", "ad")
    monkeypatch.setenv("RESETDESK_LDAP_URL", "ldaps://dc.example.test:636")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "RESETDESK_DIRECTORY=ad" in message and "RESETDESK_LDAP_URL" not in message
    for name in ("RESETDESK_LDAP_BIND_DN", "RESETDESK_LDAP_BIND_PASSWORD", "RESETDESK_LDAP_BASE_DN"):
        assert name in message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RESETDESK_DIRECTORY", "novell", "'sql', 'ldap' or 'ad'"),
        ("RESETDESK_LDAP_URL", "https://dc.example.test", "ldaps://"),
        ("RESETDESK_LDAP_TIMEOUT_SECONDS", "0", "greater than 0"),
        ("RESETDESK_LDAP_CA_FILE", "/nonexistent/ca.pem", "no such file"),
        ("RESETDESK_LDAP_ID_ATTRIBUTES", "uid,(mail=*)", "attribute names"),
    ],
)
def test_a_wrong_directory_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("RESETDESK_LDAP_BIND_PASSWORD", "Hunter2-Bind-Secret")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert variable in str(raised.value) and expected in str(raised.value)
    assert "Hunter2-Bind-Secret" not in str(raised.value)


def test_bind_password_is_never_shown_and_plaintext_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    values = {"directory": "ldap", "ldap_url": "ldap://127.0.0.1:1389", "ldap_bind_dn": "cn=svc,dc=x",
              "ldap_bind_password": "Hunter2-Bind-Secret", "ldap_base_dn": "dc=x", "ldap_allow_plaintext": "true"}
    _environment(monkeypatch, tmp_path, values)
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert "Hunter2-Bind-Secret" not in repr(settings) and "Hunter2-Bind-Secret" not in str(settings)
    assert any("WITHOUT TLS" in record.getMessage() for record in caplog.records)


def test_check_directory_shows_what_resetdesk_sees(
    slapd_server: Slapd, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _environment(monkeypatch, tmp_path, ldap_settings(slapd_server))
    assert main(["check-directory", "E2001"]) == 0
    out = capsys.readouterr().out
    assert "StartTLS" in out and "ok" in out
    assert "Ada Lovelace" in out and "a•••@example.test" in out and "•••• 2001" in out
    assert "Locked:      no" in out
    assert "ada@example.test" not in out and "+15550002001" not in out and SERVICE_PASSWORD not in out


@pytest.mark.parametrize(
    ("change", "identifier", "code", "reason"),
    [
        ({}, "*)(uid=*", 1, "nobody found"),
        ({"ldap_bind_password": "not-the-password"}, None, 2, "refused ResetDesk's bind"),
        ({"ldap_ca_file": ""}, None, 2, "TLS failed"),
        ({"stopped": True}, None, 2, "unreachable"),
    ],
)
def test_check_directory_fails_with_a_plain_reason(
    slapd_server: Slapd, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    change: dict[str, object], identifier: str | None, code: int, reason: str,
) -> None:  # fmt: skip
    if change.pop("stopped", False):
        slapd_server.stop()
    _environment(monkeypatch, tmp_path, ldap_settings(slapd_server, **change))
    assert main(["check-directory", *([identifier] if identifier else [])]) == code
    captured = capsys.readouterr()
    assert reason in captured.err
    assert SERVICE_PASSWORD not in captured.out + captured.err
