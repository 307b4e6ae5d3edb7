"""Long polling for development (no public URL): getUpdates in a loop, each update processed like a webhook's.

Started by `python app.py run` when no RESETDESK_TELEGRAM_WEBHOOK_SECRET is set. It removes a webhook the
bot may have (Telegram refuses getUpdates while one is set). Production uses the webhook.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram.error import InvalidToken, TelegramError

from channels.telegram.api import call_api

if TYPE_CHECKING:
    from channels.telegram.channel import TelegramChannel

__all__ = ["ALLOWED_UPDATES", "POLL_TIMEOUT_SECONDS", "poll"]

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_SECONDS = 30
MAX_BACKOFF_SECONDS = 30.0


async def poll(channel: TelegramChannel, *, timeout: int = POLL_TIMEOUT_SECONDS) -> None:
    backoff = 1.0
    while True:
        try:
            await channel.ensure_initialized()
            await call_api("deleteWebhook", channel.bot.delete_webhook, channel.retry)
            break
        except InvalidToken:
            log.error("Telegram rejected the bot token; long polling not started")
            return
        except TelegramError as exc:
            log.warning("Telegram unreachable (%s); retrying in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    log.info("Telegram long polling started for @%s", channel.bot.username)
    offset: int | None = None
    backoff = 1.0
    while True:
        try:
            updates = await channel.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except InvalidToken:
            log.error("Telegram rejected the bot token; long polling stopped")
            return
        except TelegramError as exc:  # e.g. Conflict: another poller is running, or a webhook was set again
            log.warning("Telegram getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            continue
        backoff = 1.0
        for update in updates:
            offset = update.update_id + 1
            try:
                if await asyncio.to_thread(channel.ledger.first_time, "telegram", str(update.update_id)):
                    await channel.application.process_update(update)
            except Exception as exc:  # e.g. the database is down: skip this update, keep polling
                log.error("Telegram update %d not processed (%s)", update.update_id, type(exc).__name__)
