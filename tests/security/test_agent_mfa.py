"""Attacks on agent two-factor (issue 13, finding 3): a stolen password without the code, skipping or
guessing the code step, replaying a code, reading the secret from the database; and enrolment by
`create-agent` and at first sign-in. Each test fails when its defence is removed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from app import build_core, create_app
from core.settings import SettingsError, load_settings
from core.storage.models import AgentSession
from core.support.two_factor import AgentTwoFactor
from tests.conftest import CoreFactory
from tests.support import FakeClock, make_settings
from tests.support.agents import access_of, add_agent, code_step, password_step, sign_in_with_totp, totp_code
from tests.support.attacks import web_app

ROOT = Path(__file__).resolve().parents[2]


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/agent").status_code == 200


def test_outside_demo_mode_two_factor_is_required_by_default() -> None:
    assert make_settings(demo=False).agent_mfa_mode == "required"
    assert make_settings(demo=True).agent_mfa_mode == "optional"
    assert make_settings(demo=True, agent_mfa="required").agent_mfa_mode == "required"
    with pytest.raises(SettingsError, match="RESETDESK_AGENT_MFA=off is only allowed in demo mode"):
        load_settings(_env_file=None, secret_key="k" * 32, demo=False, agent_mfa="off")


def test_a_stolen_password_without_the_code_does_not_sign_in(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_mfa="required")
    _, secret = add_agent(core)
    assert secret is not None
    attacker = app.test_client()
    first = password_step(attacker)
    assert first.status_code == 302 and first.headers["Location"].endswith("/agent/login/code")
    assert not _signed_in(attacker)  # the password alone gives no session
    assert attacker.get("/agent/api/queue").status_code == 401
    right = totp_code(core, secret)
    for guess in ("000000", "123456", right[::-1], "", "12345a"):
        if guess != right:
            assert code_step(attacker, guess).status_code == 401
    assert not _signed_in(attacker)
    with core.database.transaction() as session:
        assert session.scalars(select(AgentSession)).all() == []
    assert code_step(attacker, right).status_code == 302  # the real agent, with the code, gets in
    assert _signed_in(attacker)


def test_without_a_password_the_code_step_is_unreachable(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_mfa="required")
    _, secret = add_agent(core)
    assert secret is not None
    client = app.test_client()
    assert client.get("/agent/login/code").headers["Location"].endswith("/agent/login")
    assert password_step(client, password="wrong password entirely").status_code == 401
    assert client.get("/agent/login/code").headers["Location"].endswith("/agent/login")
    assert password_step(client).status_code == 302
    core.clock.advance(minutes=5, seconds=1)  # type: ignore[attr-defined]  # too slow: start over
    assert client.get("/agent/login/code").headers["Location"].endswith("/agent/login")


def test_a_replayed_code_is_refused(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_mfa="required")
    client, csrf, _, secret = sign_in_with_totp(app, core)
    used = totp_code(core, secret)
    client.post("/agent/logout", data={"csrf_token": csrf})
    # Someone who saw the code typed (shoulder, screen share, proxy log) tries it within its 30 seconds.
    replay = app.test_client()
    assert password_step(replay).status_code == 302
    assert code_step(replay, used).status_code == 401
    assert code_step(replay, totp_code(core, secret, offset_steps=-1)).status_code == 401  # older: refused too
    assert not _signed_in(replay)
    core.clock.advance(seconds=30)  # type: ignore[attr-defined]
    assert totp_code(core, secret) != used
    assert code_step(replay, totp_code(core, secret)).status_code == 302  # the next code works
    assert _signed_in(replay)


def test_one_code_sent_twice_at_once_is_accepted_once(make_core: CoreFactory) -> None:
    core = make_core(agent_mfa="required")
    agent, secret = add_agent(core)
    assert secret is not None
    two_factor = access_of(core).two_factor
    code = totp_code(core, secret)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def verify() -> None:
        barrier.wait()
        results.append(two_factor.verify(agent.id, code))

    threads = [threading.Thread(target=verify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_guessing_codes_from_many_addresses_is_throttled_per_account(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_mfa="required")
    _, secret = add_agent(core)
    assert secret is not None
    attacker = app.test_client()
    assert password_step(attacker, address="10.2.0.1").status_code == 302  # one attempt counted
    right = totp_code(core, secret)
    wrong = "000000" if right != "000000" else "111111"
    for n in range(core.settings.agent_account_sign_ins_per_15_minutes - 1):
        assert code_step(attacker, wrong, address=f"10.2.{n}.2").status_code == 401
    refused = code_step(attacker, right, address="10.3.3.3")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert not _signed_in(attacker)


def test_the_secret_is_sealed_in_the_database(make_core: CoreFactory) -> None:
    core = make_core(agent_mfa="required")
    agent, secret = add_agent(core)
    assert secret is not None
    with core.database.engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM agents")).all())
    assert secret not in dump and secret.lower() not in dump
    # A copy of the database with another deployment's key gives nothing.
    other = AgentTwoFactor(core.database, core.clock, "another-deployment-secret-key")
    assert not other.verify(agent.id, totp_code(core, secret))
    assert access_of(core).two_factor.verify(agent.id, totp_code(core, secret))


def test_an_agent_without_a_secret_enrols_at_first_sign_in(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_mfa="required")
    add_agent(core, totp=False)
    client = app.test_client()
    assert password_step(client).status_code == 302
    page = client.get("/agent/login/code").get_data(as_text=True)
    match = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert match is not None and "otpauth://totp/ResetDesk:sam?secret=" in page
    assert not _signed_in(client)  # not before the first code proves the app holds the key
    secret = match.group(1)
    assert code_step(client, totp_code(core, secret)).status_code == 302 and _signed_in(client)
    # From now on the code is asked for, and the key is not shown again.
    core.clock.advance(seconds=30)  # type: ignore[attr-defined]
    again = app.test_client()
    assert password_step(again).status_code == 302
    assert secret not in again.get("/agent/login/code").get_data(as_text=True)
    assert code_step(again, totp_code(core, secret)).status_code == 302


def test_create_agent_enrols_two_factor_and_prints_the_key_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    settings = make_settings(database_url=url, agent_mfa="required")
    assert settings.secret_key is not None
    env = {**os.environ, "RESETDESK_DATABASE_URL": url, "RESETDESK_AGENT_MFA": "required",
           "RESETDESK_SECRET_KEY": settings.secret_key.get_secret_value()}  # fmt: skip
    result = subprocess.run([sys.executable, "app.py", "create-agent", "sam", "--name", "Sam"], cwd=ROOT, env=env,
                            input="a long agent password\n", capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    uri = re.search(r"otpauth://totp/\S+", result.stdout)
    assert uri is not None, result.stdout
    secret = pyotp.parse_uri(uri.group(0)).secret
    assert secret in result.stdout and "a long agent password" not in result.stdout + result.stderr

    core = build_core(settings, clock=FakeClock())
    app = create_app(core=core)
    client = app.test_client()
    assert password_step(client, "sam", "a long agent password").status_code == 302
    assert "totp-secret" not in client.get("/agent/login/code").get_data(as_text=True)  # enrolled already
    assert code_step(client, totp_code(core, secret)).status_code == 302 and _signed_in(client)
    core.database.dispose()
