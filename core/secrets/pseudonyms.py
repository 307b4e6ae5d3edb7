"""Keyed hashes that stand in for identifiers which must not be written down (README, "Security").

A web chat's session token is its credential: conversations are keyed by `chat_key(token)`, so the database
never holds the token. Logs and the audit trail name a person by `pseudonym(...)` only: a short keyed hash of
the channel's user id (for the web chat, of that key), never a Slack or Telegram user id or a chat token.
The same input always gives the same pseudonym, so log lines and audit rows about one person can be matched up.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["PSEUDONYM_PREFIX", "Pseudonyms"]

PSEUDONYM_PREFIX = "~"  # marks an actor that is already a pseudonym, so it is never hashed twice
_SHORT = 16  # hex characters in a pseudonym: 64 bits, enough to tell people apart in one deployment's logs


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("pseudonyms need the secret key")
        self._key = key

    def _hmac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def chat_key(self, token: str) -> str:
        """The conversation key for a web chat session token (HMAC-SHA256 hex, 64 characters)."""
        return self._hmac("chat-session", token)

    def pseudonym(self, channel: str, user_id: str) -> str:
        """`<channel>:~<16 hex>` for a person on a channel, for log lines and audit rows."""
        return f"{channel}:{PSEUDONYM_PREFIX}{self._hmac('pseudonym', f'{channel}:{user_id}')[:_SHORT]}"

    def actor(self, actor: str) -> str:
        """An audit actor with any channel user id replaced: `user:<channel>:<id>` becomes
        `user:<channel>:~<hash>`; agents, `system` and the like are kept as they are."""
        kind, _, rest = actor.partition(":")
        channel, _, user_id = rest.partition(":")
        if kind != "user" or not user_id or user_id.startswith(PSEUDONYM_PREFIX):
            return actor
        return f"user:{self.pseudonym(channel, user_id)}"
