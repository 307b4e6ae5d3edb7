"""The web chat's message history: the bot's ChatHistory store for the "web" channel (built in app.py)."""

from __future__ import annotations

from bot.history import ChatHistory

__all__ = ["CHANNEL", "ChatHistory"]

CHANNEL = "web"
