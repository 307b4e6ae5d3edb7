"""The one contract every channel implements. app.py builds each channel with what it needs, then for each:
registers its routes, hands the engine its push delivery, and (for `python app.py run`) its background work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from flask import Flask

from bot.messages import Reply

__all__ = ["BackgroundStart", "Channel"]

BackgroundStart = Callable[[], None]


@runtime_checkable
class Channel(Protocol):
    @property
    def name(self) -> str:
        """The channel's name in conversations and pushes ("web", "slack", "telegram")."""

    def register(self, app: Flask) -> None:
        """Add the channel's routes, blueprints and request hooks to the app."""

    def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """Push replies that come later than the person's message (a live agent, the reset page finished)."""

    def background(self) -> list[BackgroundStart]:
        """Starters for work outside requests (Slack Socket Mode, Telegram long polling); empty for most."""
