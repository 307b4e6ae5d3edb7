"""Helpers to walk a chat to a reset link (the `app`, `client`, `core` and `make_app` fixtures: tests/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import Core, wiring
from core.secrets.pseudonyms import Pseudonyms
from tests.core.conftest import add_employee, last_outbox_code

__all__ = ["ChatClient", "conversation_key", "csrf_of"]


class ChatClient:
    """Talks to the chat API like the widget does: the session cookie set by POST /api/chat/sessions is
    kept by the test client and sent with every later call."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        response = client.post("/api/chat/sessions", json={})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        self.token: str = body["session_token"]
        self.last_seq: int = body["last_seq"]
        self.messages: list[dict[str, Any]] = body["messages"]

    @property
    def key(self) -> str:
        """The conversation's key on the server (a keyed hash of the token): what push and the store use."""
        return conversation_key(self.client.application, self.token)

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.client.post("/api/chat/messages", json={"text": text})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        self.last_seq = body["last_seq"]
        self.messages = body["messages"]
        return self.messages

    def poll(self) -> list[dict[str, Any]]:
        body = self.client.get(f"/api/chat/messages?after={self.last_seq}").get_json()
        self.last_seq = body["last_seq"]
        return body["messages"]

    def bearer(self) -> dict[str, str]:
        """Headers for a client that isn't a browser (or a fresh test client with no cookie)."""
        return {"Authorization": f"Bearer {self.token}"}


def conversation_key(app: Flask, token: str) -> str:
    core = wiring(app).core
    secret = core.settings.secret_key
    assert secret is not None
    return Pseudonyms(secret.get_secret_value().encode()).chat_key(token)


def reset_link_via_email(
    core: Core, chat: ChatClient, says: Sequence[str] = ("I forgot my password", "E1001", "email")
) -> str:
    """E1001 on file, the chat walked through `says` to the email code, the code typed: the reset link's URL."""
    add_employee(core)
    for text in says:
        chat.say(text)
    replies = chat.say(last_outbox_code(core))
    link = replies[-1]["link"]
    assert link is not None
    return str(link["url"])


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)
