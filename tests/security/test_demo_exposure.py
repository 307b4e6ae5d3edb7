"""Demo exposure (issue 13, finding 5): the demo pages show every code sent and sign in to the directory, so they
exist only in demo mode; /demo/login is throttled, takes the same time for unknown ids, and says "locked" only
to someone who knows the password."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.channels.conftest import ChatClient, csrf_of
from tests.conftest import CoreFactory
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.attacks import channels_app, median_ms, timed, web_app

DEMO_PATHS = ("/demo", "/demo/outbox", "/demo/login", "/demo/widget")
MAX_MEDIAN_DIFFERENCE_MS = 5.0


def attempt(client: FlaskClient, identifier: str, password: str) -> Any:
    csrf = csrf_of(client.get("/demo/login").get_data(as_text=True))
    return client.post("/demo/login", data={"csrf_token": csrf, "identifier": identifier, "password": password})


def client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_demo_pages_are_off_on_an_https_deployment_with_everything_on_the_outbox(
    make_core: CoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The attack: both deliveries left on the outbox (the defaults), Slack and Telegram configured, an https
    public URL; a code is sent, then /demo/outbox is read. Every demo path must be missing."""
    caplog.set_level(logging.WARNING)
    with channels_app(make_core, public_url="https://reset.example.com") as channels:
        assert channels.core.settings.email_backend == channels.core.settings.sms_backend == "outbox"
        add_employee(channels.core)
        chat = ChatClient(channels.app.test_client())
        for text in ("I forgot my password", "E1001", "email"):
            chat.say(text)
        code = last_outbox_code(channels.core)
        client = channels.app.test_client()
        for path in DEMO_PATHS:
            response = client.get(path)
            assert response.status_code == 404, path
            assert code not in response.get_data(as_text=True)
    assert "DEMO MODE IS ON" not in caplog.text


@pytest.mark.parametrize(
    ("overrides", "on"),
    [
        ({"public_url": "http://127.0.0.1:5000"}, True),
        ({"public_url": "http://127.8.9.10"}, True),
        ({"public_url": "http://[::1]:8080"}, True),
        ({"public_url": "http://localhost:5000"}, True),
        ({"public_url": "https://reset.example.com", "demo": True}, True),
        ({"public_url": "http://127.0.0.1:5000", "demo": False}, False),
        ({"public_url": "http://reset.internal.example"}, False),
        ({"public_url": "http://10.0.0.5:5000"}, False),
        ({"public_url": "http://127.0.0.1.example.com"}, False),
    ],
)
def test_demo_mode_follows_the_setting_or_a_loopback_public_url_and_warns_loudly(
    make_core: CoreFactory, caplog: pytest.LogCaptureFixture, overrides: dict[str, Any], on: bool
) -> None:
    caplog.set_level(logging.WARNING)
    app, _ = web_app(make_core, **overrides)
    client = app.test_client()
    assert [client.get(path).status_code for path in DEMO_PATHS] == [200 if on else 404] * len(DEMO_PATHS)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "DEMO MODE IS ON" in r.getMessage()]
    assert len(warnings) == (1 if on else 0)


def test_sign_in_attempts_are_limited_per_address_and_per_identifier(make_core: CoreFactory, clock: FakeClock) -> None:
    app, core = web_app(make_core)
    add_employee(core)
    limit = core.settings.demo_sign_ins_per_minute
    # One address trying many identifiers.
    spraying = client_from(app, "203.0.113.7")
    statuses = [attempt(spraying, f"E{2000 + n}", "a guess at it").status_code for n in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    refused = attempt(spraying, "E1001", OLD_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Signed in" not in refused.get_data(as_text=True)  # not even the right password gets through
    # Many addresses guessing one identifier's password.
    guesses = [attempt(client_from(app, f"198.51.100.{n}"), "e1001", f"guess {n}").status_code for n in range(limit)]
    assert guesses == [401] * (limit - 1) + [429]  # the right password above counted against E1001 too
    # Both limits are per minute.
    clock.advance(minutes=1)
    assert "Signed in" in attempt(spraying, "E1001", OLD_PASSWORD).get_data(as_text=True)


def test_locked_is_said_only_after_the_right_password(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    account_id = add_employee(core)
    core.directory.set_locked(account_id, True)
    client = app.test_client()
    wrong = attempt(client, "E1001", "not the password at all")
    assert wrong.status_code == 401
    assert "locked" not in wrong.get_data(as_text=True).lower()
    assert "Wrong employee ID, username or password" in wrong.get_data(as_text=True)
    right = attempt(client, "E1001", OLD_PASSWORD)
    assert "This account is locked" in right.get_data(as_text=True)


def test_unknown_ids_take_as_long_as_known_ones(make_core: CoreFactory) -> None:
    """Production argon2 (19 MiB, t=2). Each round times a wrong password for a known id next to one for an
    unknown id (alternating order); the median of the paired differences cancels drift from other load."""
    app, core = web_app(make_core, argon2_memory_kib=19456, argon2_time_cost=2, demo_sign_ins_per_minute=1000)
    add_employee(core, "E1001")
    client = app.test_client()
    csrf = csrf_of(client.get("/demo/login").get_data(as_text=True))

    def post(identifier: str) -> float:
        form = {"csrf_token": csrf, "identifier": identifier, "password": "a wrong password"}
        response, seconds = timed(lambda: client.post("/demo/login", data=form))
        assert response.status_code == 401
        return seconds

    pairs: list[dict[str, float]] = []
    for n in range(4 + 60):
        order = ("E1001", "E9999") if n % 2 == 0 else ("E9999", "E1001")
        pair = {identifier: post(identifier) for identifier in order}
        if n >= 4:
            pairs.append(pair)
    known, unknown = median_ms([p["E1001"] for p in pairs]), median_ms([p["E9999"] for p in pairs])
    paired = median_ms([p["E1001"] - p["E9999"] for p in pairs])
    print(f"demo login: median known {known:.2f} ms, unknown {unknown:.2f} ms, paired difference {paired:+.2f} ms")
    assert known > 10 and unknown > 10  # argon2 really ran for both
    assert abs(paired) < MAX_MEDIAN_DIFFERENCE_MS, (known, unknown, paired)
