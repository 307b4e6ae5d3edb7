"""The Telegram channel (python-telegram-bot): webhook at POST /telegram/webhook, long polling for development.

Private chats only; choices as inline keyboards; a message holding a code or an answer is deleted once read.
TelegramChannel (channel.py) implements the Channel contract; app.py builds it with the token and secret.
"""

from __future__ import annotations

from channels.telegram.channel import TelegramChannel

__all__ = ["TelegramChannel"]
