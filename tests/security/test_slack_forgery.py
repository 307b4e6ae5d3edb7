# ruff: noqa: F811  (fixtures are imported from tests/channels and tests/support, then used as arguments)
"""Channel forgery, Slack: requests that claim to come from Slack and do not, or come twice.

Each attack goes end to end through the Flask app (slack-bolt included) and checks that nothing was posted
back and no state changed. tests/channels covers the basic refusals; these add signatures for another body,
moved or malformed timestamps, header spelling, replays (sequential and concurrent), captured requests
replayed after the window, and someone else in the same DM. Telegram: test_telegram_forgery.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import delete

from core.storage.models import ProcessedEvent, ResetToken
from tests.core.conftest import last_outbox_code
from tests.fakes.slack_api import FakeSlackApi
from tests.support.forgery import concurrently, rows
from tests.support.slack import SIGNING_SECRET, buttons, sign, text_of
from tests.support.slack_app import USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def person_said(slack: Slack) -> list[str]:
    conversation = slack.conversation()
    return [] if conversation is None else [e["text"] for e in conversation.transcript if e["from"] == "person"]


# -- Slack: signatures ------------------------------------------------------------------------------------


def assert_slack_untouched(slack: Slack) -> None:
    assert slack.api.calls == []  # not even users.info: nothing ran
    assert slack.conversation() is None
    assert rows(slack.core, ProcessedEvent) == 0  # and the event id was not used up


def test_slack_signature_made_for_another_body_is_refused(slack: Slack) -> None:
    harmless = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0HARMLESS")
    wanted = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"), event_id="Ev0WANTED01")
    response = slack.ws.post(wanted, content_type=JSON, headers=sign(harmless), signed=False)
    assert response.status_code == 401
    assert_slack_untouched(slack)


def test_slack_signature_with_its_timestamp_moved_is_refused(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    captured = sign(body, timestamp=int(time.time()) - 3600)  # a real signature, an hour old
    fresh = captured | {"X-Slack-Request-Timestamp": str(int(time.time()))}
    assert slack.ws.post(body, content_type=JSON, headers=fresh, signed=False).status_code == 401
    assert_slack_untouched(slack)


@pytest.mark.parametrize(
    "timestamp",
    ["far future", "six minutes ahead", "", "-1", "9" * 40, "１７００００００００", "¹⁷⁰⁰⁰⁰⁰⁰⁰⁰", "1e9", " 1700000000"],
)
def test_slack_future_or_malformed_timestamps_are_refused(slack: Slack, timestamp: str) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    now = int(time.time())
    if timestamp == "far future":
        headers = sign(body, timestamp=now + 86_400)
    elif timestamp == "six minutes ahead":
        headers = sign(body, timestamp=now + 6 * 60)
    else:  # signed over the odd timestamp itself, so only the timestamp check can refuse it
        digest = sign(body)["X-Slack-Signature"]
        headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": digest}
    response = slack.ws.post(body, content_type=JSON, headers=headers, signed=False)
    assert response.status_code == 401 and response.is_json
    assert_slack_untouched(slack)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.replace("v0=", "v1="),  # another signature version
        lambda s: s.upper().replace("V0=", "v0="),  # hex in capitals is not the digest
        lambda s: s[:-2],  # a truncated digest
        lambda s: s + " ",  # padding
        lambda s: "v0=" + "0" * 64,
    ],
    ids=["version", "uppercase-hex", "truncated", "padded", "zeros"],
)
def test_slack_mangled_signatures_are_refused(slack: Slack, mangle: Any) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    headers = sign(body)
    headers["X-Slack-Signature"] = mangle(headers["X-Slack-Signature"])
    assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 401
    assert_slack_untouched(slack)


def test_slack_header_names_in_any_case_are_the_same_headers(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"))
    lower = {name.lower(): value for name, value in sign(body, secret="guessed").items()}
    assert slack.ws.post(body, content_type=JSON, headers=lower, signed=False).status_code == 401
    assert_slack_untouched(slack)
    # A forged lower-case pair did not shadow the real check; a genuine lower-case pair is Slack's request.
    genuine = {name.lower(): value for name, value in sign(body, secret=SIGNING_SECRET).items()}
    assert slack.ws.post(body, content_type=JSON, headers=genuine, signed=False).status_code == 200
    assert len(slack.ws.new_messages()) == 1


# -- Slack: replays ---------------------------------------------------------------------------------------


def test_slack_replayed_signed_event_is_processed_once(slack: Slack) -> None:
    slack.ws.dm(USER, "reset my password")
    body = slack.ws.event_body(slack.ws.dm_event(USER, "E1001"), event_id="Ev0CAPTURED")
    headers = sign(body)  # captured on the wire: a valid signature, well within the 5 minutes
    for _ in range(3):
        assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 200
    assert len(slack.ws.new_messages()) == 1  # one answer to "E1001"
    assert person_said(slack) == ["reset my password", "E1001"]


def test_slack_replayed_event_from_many_workers_at_once_is_processed_once(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0CONCURRENT")
    headers = sign(body)
    statuses = concurrently(
        slack.app,
        6,
        lambda client: client.post("/slack/events", data=body, content_type=JSON, headers=headers),
    )
    assert statuses == [200] * 6
    assert len(slack.api.calls_to("chat.postMessage")) == 1 and person_said(slack) == ["hi"]


def test_slack_replayed_button_click_is_counted_once(slack: Slack) -> None:
    slack.ws.dm(USER, "hi")
    click = slack.ws.click_body(USER, "reset")
    headers = sign(click)
    for _ in range(3):
        assert slack.ws.post(click, content_type=FORM, headers=headers, signed=False).status_code == 200
    [question] = slack.ws.new_messages()
    assert text_of(question) == "Is this about your account e1001user?"
    assert len(slack.api.calls_to("chat.update")) == 1
    assert person_said(slack) == ["hi", "reset"]


def test_slack_request_replayed_after_the_window_is_refused(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    import slack_sdk.signature

    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0FIRST")
    headers = sign(body)
    # The same bytes, re-sent six minutes later (after the event ledger might have been trimmed).
    later = time.time() + 6 * 60
    monkeypatch.setattr(slack_sdk.signature.Clock, "now", lambda self: later)
    with slack.core.database.transaction() as session:
        session.execute(delete(ProcessedEvent))
    assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 401
    assert_slack_untouched(slack)


# -- Slack: someone else in the same DM -----------------------------------------------------------------


def test_slack_someone_elses_event_in_my_dm_is_their_own_conversation(slack: Slack, slack_api: FakeSlackApi) -> None:
    slack.ws.dm(USER, "reset my password")
    slack.ws.dm(USER, "E1001")
    slack.ws.click(USER, "email")
    code = last_outbox_code(slack.core)
    other = "U0MALLORY1"
    slack_api.add_user(other, email="mallory@example.com")
    event = slack.ws.dm_event(USER, code) | {"user": other}  # Mallory's message, in Jordan's DM channel
    assert slack.ws.send_event(event).status_code == 200
    posted = slack.ws.new_messages()
    assert all(not any("/reset/" in str(b) for b in m.get("blocks", [])) for m in posted)
    assert not any(buttons(m) and "/reset/" in str(m) for m in posted)
    conversation = slack.conversation()
    assert conversation is not None and conversation.state == "enter_code" and rows(slack.core, ResetToken) == 0
