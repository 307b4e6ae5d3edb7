"""Web chat session tokens: issued once, carried in an HttpOnly cookie or a Bearer header, never in a URL.

The token is the conversation's only credential, so it is never stored or logged: the conversation (history,
recovery, rate limits) is keyed by `Pseudonyms.chat_key(token)`, a keyed hash of it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Response, request

from channels.web.history import ChatHistory
from core.secrets.pseudonyms import Pseudonyms

__all__ = ["COOKIE_NAME", "COOKIE_PATH", "ChatSessions", "NewSession"]

COOKIE_NAME = "resetdesk_chat"
COOKIE_PATH = "/api/chat"  # sent only to the chat API, not to every page
_TOKEN_BYTES = 32  # 256 random bits (at least 128 are required)
_MAX_TOKEN_CHARS = 64  # token_urlsafe(32) is 43 characters; anything much longer is not ours


@dataclass(frozen=True)
class NewSession:
    token: str  # handed to the client once, never kept
    key: str  # what the server keys the conversation by


class ChatSessions:
    def __init__(self, pseudonyms: Pseudonyms, history: ChatHistory, *, https: bool) -> None:
        self._pseudonyms = pseudonyms
        self._history = history
        self._https = https

    def issue(self) -> NewSession:
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        return NewSession(token, self._pseudonyms.chat_key(token))

    def current(self) -> str | None:
        """The key of this request's conversation, or None when no token was sent, it is malformed, or no such
        conversation exists (the caller answers all three alike)."""
        token = _presented_token()
        if token is None:
            return None
        key = self._pseudonyms.chat_key(token)
        return key if self._history.exists(key) else None

    def set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(COOKIE_NAME, token, path=COOKIE_PATH, httponly=True, samesite="Strict", secure=self._https)


def _presented_token() -> str | None:
    """`Authorization: Bearer <token>` (clients that aren't browsers) wins over the cookie."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE_NAME, "")
    if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
        return None
    return token
