"""The Telegram channel (python-telegram-bot): webhook at POST /telegram/webhook, long polling for development.

Private chats only; choices as inline keyboards; a message holding a code or an answer is deleted once read.
"""

from __future__ import annotations

import logging
import os

from flask import Flask

from bot.dedupe import EventLedger
from bot.engine import Engine
from core.settings import Settings

# Opt in to PTB's timedelta time periods (its next major version's behaviour). Without it, PTB warns on
# every RetryAfter it builds (PTBDeprecationWarning for the int `retry_after`); we read either form.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from channels.telegram.channel import CHANNEL, TelegramChannel
from channels.telegram.webhook import webhook_blueprint

__all__ = ["TelegramChannel", "register_telegram"]


def register_telegram(app: Flask, *, engine: Engine, settings: Settings, ledger: EventLedger) -> TelegramChannel:
    assert settings.telegram_bot_token is not None
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    channel = TelegramChannel(
        engine=engine,
        ledger=ledger,
        token=settings.telegram_bot_token.get_secret_value(),
        api_url=settings.telegram_api_url,
        webhook_secret=secret or None,
    )
    engine.push.register(CHANNEL, channel.deliver)
    app.register_blueprint(webhook_blueprint(channel))
    app.extensions["resetdesk.telegram"] = channel
    if not secret:  # no webhook without a secret: development uses long polling (started by `app.py run`)
        app.extensions["resetdesk.background"].append(channel.start_polling)
    # httpx logs every request URL at INFO, and a Bot API URL carries the bot token.
    httpx_log = logging.getLogger("httpx")
    if httpx_log.level == logging.NOTSET:
        httpx_log.setLevel(logging.WARNING)
    return channel
