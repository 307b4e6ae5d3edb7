"""Replies that reach a person later than their own message: a live agent's words, or the chat confirming
that the reset page finished. Each channel registers how it delivers to one of its users."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.messages import Reply

__all__ = ["Deliver", "PushDispatcher"]

log = logging.getLogger(__name__)

Deliver = Callable[[str, list[Reply]], None]


class PushDispatcher:
    def __init__(self) -> None:
        self._channels: dict[str, Deliver] = {}

    def register(self, channel: str, deliver: Deliver) -> None:
        self._channels[channel] = deliver

    def deliver(self, channel: str, user_id: str, replies: list[Reply]) -> bool:
        """Hand replies to the channel (the terminal's is an inbox it polls, bot/terminal.py). False when there
        is none: a finished reset shows on the person's next message (the dialog checks then); an agent's lines
        stay on the ticket, and the console tells the agent they were not delivered."""
        deliver = self._channels.get(channel)
        if deliver is None or not replies:
            return False
        deliver(user_id, replies)
        return True
