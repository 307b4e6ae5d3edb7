"""Slack as seen from the Flask app: signed Events API and interactivity requests, built like Slack builds them,
and readers for what the app posted to the fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.fakes.slack_api import APP_ID, TEAM_ID, FakeSlackApi

__all__ = ["SIGNING_SECRET", "SlackWorkspace", "buttons", "link_url", "sign", "text_of"]

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
API_APP_ID = APP_ID


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 of "v0:<timestamp>:<body>" with the signing secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def text_of(message: dict[str, Any]) -> str:
    """The section text of a posted message, with Slack's escaping undone."""
    section = next(b for b in message["blocks"] if b["type"] == "section")
    return str(section["text"]["text"]).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the choice buttons of a posted message."""
    return [
        (e["text"]["text"], e["value"])
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if "value" in e
    ]


def link_url(message: dict[str, Any]) -> str | None:
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if "url" in element:
                return str(element["url"])
    return None


class SlackWorkspace:
    """Sends what Slack would send to POST /slack/events, and reads what the app posted back."""

    def __init__(self, client: FlaskClient, api: FakeSlackApi) -> None:
        self.client = client
        self.api = api
        self._read = 0  # how many successful chat.postMessage calls were already returned

    # -- raw requests ---------------------------------------------------------------------------------------

    def post(
        self, body: str, *, content_type: str, headers: dict[str, str] | None = None, signed: bool = True
    ) -> TestResponse:
        all_headers = (sign(body) if signed else {}) | (headers or {})
        return self.client.post("/slack/events", data=body, content_type=content_type, headers=all_headers)

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "deprecated-verification-token",
                "team_id": TEAM_ID,
                "api_app_id": API_APP_ID,
                "event": event,
                "type": "event_callback",
                "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": "U0RESETBOT", "is_bot": True}],
            }
        )

    def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        return self.post(self.event_body(event, event_id=event_id), content_type="application/json", headers=headers)

    # -- what a person does ---------------------------------------------------------------------------------

    def dm_event(self, user_id: str, text: str) -> dict[str, Any]:
        ts = f"{time.time():.6f}"
        return {
            "type": "message",
            "channel": self.api.dm_channel(user_id),
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            "client_msg_id": secrets.token_hex(8),
        }

    def dm(self, user_id: str, text: str, *, event_id: str | None = None) -> list[dict[str, Any]]:
        """The person types in the bot's DM; returns the messages the app posted in answer."""
        response = self.send_event(self.dm_event(user_id, text), event_id=event_id)
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.new_messages()

    def click(self, user_id: str, value: str) -> list[dict[str, Any]]:
        """The person presses the newest button with this value in their DM; returns the app's new messages."""
        response = self.post(self.click_body(user_id, value), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.new_messages()

    def click_body(self, user_id: str, value: str | None = None, *, action_id: str | None = None) -> str:
        """A block_actions payload for the newest button in the user's DM with this value (or action_id)."""
        channel = self.api.dm_channel(user_id)
        for (in_channel, ts), message in sorted(self.api.messages.items(), key=lambda kv: kv[0][1], reverse=True):
            for block in message.get("blocks", []) if in_channel == channel else []:
                for element in block.get("elements", []) if block["type"] == "actions" else []:
                    if (value is not None and element.get("value") == value) or (
                        action_id is not None and element.get("action_id") == action_id
                    ):
                        return self._block_actions(user_id, channel, ts, message, block, element)
        raise AssertionError(f"no button {value or action_id!r} in {user_id}'s DM")

    def _block_actions(
        self,
        user_id: str,
        channel: str,
        ts: str,
        message: dict[str, Any],
        block: dict[str, Any],
        element: dict[str, Any],
    ) -> str:
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": "jordan", "name": "jordan", "team_id": TEAM_ID},
            "api_app_id": API_APP_ID,
            "token": "deprecated-verification-token",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": self.api.modals.issue_trigger(user_id),
            "team": {"id": TEAM_ID, "domain": "resetdesk-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"},
            "message": message,
            "state": {"values": {}},
            "response_url": f"https://hooks.slack.com/actions/{TEAM_ID}/1/{secrets.token_hex(8)}",
            "actions": [
                {
                    "action_id": element["action_id"],
                    "block_id": block.get("block_id", "b"),
                    "text": element["text"],
                    **({"value": element["value"]} if "value" in element else {}),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    def submit_body(self, view_id: str, value: str | None) -> str:
        """A view_submission payload for a modal the app opened, with `value` typed into its input
        (None: left empty), sent by the person the modal was opened for."""
        opened = self.api.modals.opened[view_id]
        values = {
            block["block_id"]: {block["element"]["action_id"]: {"type": block["element"]["type"], "value": value}}
            for block in opened.view["blocks"]
            if block["type"] == "input"
        }
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "resetdesk-test"},
            "user": {"id": opened.user_id, "username": "jordan", "name": "jordan", "team_id": TEAM_ID},
            "api_app_id": API_APP_ID,
            "token": "deprecated-verification-token",
            "trigger_id": self.api.modals.issue_trigger(opened.user_id),
            "view": opened.view | {"state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return urlencode({"payload": json.dumps(payload)})

    def submit(self, view_id: str, value: str | None) -> TestResponse:
        return self.post(self.submit_body(view_id, value), content_type="application/x-www-form-urlencoded")

    # -- what the app posted ------------------------------------------------------------------------------------

    def new_messages(self) -> list[dict[str, Any]]:
        posted = self.api.posted()
        fresh, self._read = posted[self._read :], len(posted)
        return fresh
