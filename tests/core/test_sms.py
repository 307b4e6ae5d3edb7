"""SMS adapters: the outbox stores rows; the Twilio SDK really talks to a local fake of the Messages API."""

from __future__ import annotations

import logging
import socket
import time

import pytest
import requests
from sqlalchemy import select

from core.delivery.ports import DeliveryError
from core.delivery.sms import OutboxSmsSender, TwilioSmsSender
from core.storage.db import Database
from core.storage.models import OutboxMessage
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support import FakeClock

FROM = "+15005550006"
TO = "+351912345678"
CODE_BODY = "ResetDesk code: 482913 (valid 10 minutes)"


def twilio(api: FakeTwilioApi, **overrides: object) -> TwilioSmsSender:
    options: dict[str, object] = {"api_url": api.url, "timeout": 5.0, **overrides}
    token = str(options.pop("auth_token", api.auth_token))
    return TwilioSmsSender(api.account_sid, token, FROM, **options)  # type: ignore[arg-type]


def assert_no_body(error: DeliveryError) -> None:
    assert "482913" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__


def test_outbox_stores_the_message(database: Database, clock: FakeClock) -> None:
    sender = OutboxSmsSender(database, clock)
    sender.send(TO, CODE_BODY)
    with database.transaction() as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert sender.name == "outbox"
    assert [(r.kind, r.recipient, r.subject, r.body, r.created_at) for r in rows] == [
        ("sms", TO, "", CODE_BODY, clock.now())
    ]


def test_twilio_send_reaches_the_api_with_basic_auth(
    twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sender = twilio(twilio_api)
    sender.send(TO, CODE_BODY)
    [sms] = twilio_api.messages  # recorded only after the fake checked sid and token
    assert sender.name == "twilio"
    assert (sms.account_sid, sms.to, sms.from_, sms.body) == (twilio_api.account_sid, TO, FROM, CODE_BODY)
    assert sms.user_agent.startswith("twilio-python/")  # the official SDK made the call
    assert "482913" not in caplog.text  # the SDK logs requests, never their bodies


def test_wrong_credentials_are_a_delivery_error(twilio_api: FakeTwilioApi) -> None:
    with pytest.raises(DeliveryError) as failure:
        twilio(twilio_api, auth_token="not-the-token").send(TO, CODE_BODY)
    assert failure.value.channel == "sms"
    assert failure.value.reason == "Twilio error 20003 (HTTP 401)"
    assert_no_body(failure.value)
    assert twilio_api.messages == []


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429)])
def test_provider_errors_are_delivery_errors(twilio_api: FakeTwilioApi, status: int, code: int) -> None:
    twilio_api.fail_next(1, status)
    sender = twilio(twilio_api)
    with pytest.raises(DeliveryError) as failure:
        sender.send(TO, CODE_BODY)
    assert failure.value.reason == f"Twilio error {code} (HTTP {status})"
    assert_no_body(failure.value)
    sender.send(TO, CODE_BODY)  # only the next request was failed
    assert len(twilio_api.messages) == 1


def test_request_errors_carry_twilio_code(twilio_api: FakeTwilioApi) -> None:
    with pytest.raises(DeliveryError, match=r"Twilio error 21602 \(HTTP 400\)"):
        twilio(twilio_api).send(TO, "")


def test_timeout_is_a_delivery_error(twilio_api: FakeTwilioApi) -> None:
    twilio_api.delay_seconds = 3
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failure:
        twilio(twilio_api, timeout=0.3).send(TO, CODE_BODY)
    assert time.monotonic() - started < 2
    assert failure.value.reason == "timed out"
    assert_no_body(failure.value)


def test_unreachable_api_is_a_delivery_error(twilio_api: FakeTwilioApi) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError, match="connection failed"):
        twilio(twilio_api, api_url=f"http://127.0.0.1:{port}").send(TO, CODE_BODY)


def test_default_base_url_is_twilio() -> None:
    # Without an override the SDK's own host is used (checked on the built URL, no request is made).
    sender = TwilioSmsSender("AC" + "0" * 32, "token", FROM)
    url = sender._client.api.absolute_url("2010-04-01/Accounts/x/Messages.json")
    assert url.startswith("https://api.twilio.com/")


def test_base_url_override_ignores_edge_and_region_environment(
    twilio_api: FakeTwilioApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    twilio(twilio_api).send(TO, CODE_BODY)
    assert len(twilio_api.messages) == 1


def test_fake_speaks_twilio_wire_format(twilio_api: FakeTwilioApi) -> None:
    # Guards the fake itself: the resource shape the SDK parses.
    response = requests.post(
        f"{twilio_api.url}/2010-04-01/Accounts/{twilio_api.account_sid}/Messages.json",
        data={"To": TO, "From": FROM, "Body": "hi"},
        auth=(twilio_api.account_sid, twilio_api.auth_token),
        timeout=5,
    )
    assert response.status_code == 201
    resource = response.json()
    assert resource["sid"].startswith("SM") and len(resource["sid"]) == 34
    assert resource["status"] == "queued"
    assert (resource["to"], resource["from"], resource["body"]) == (TO, FROM, "hi")
    assert resource["uri"] == f"/2010-04-01/Accounts/{twilio_api.account_sid}/Messages/{resource['sid']}.json"
