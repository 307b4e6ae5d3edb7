"""POST /telegram/webhook: Telegram's secret-token header checked in constant time, each update_id once.

The update is processed before the answer (bounded by PROCESS_SECONDS, then acknowledged anyway), so one
person's messages are handled in order and Telegram never redelivers an update that was taken.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, Response, jsonify, request
from telegram import Update

from channels.telegram.channel import CHANNEL, TelegramChannel

__all__ = ["SECRET_HEADER", "webhook_blueprint"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
MAX_UPDATE_BYTES = 256 * 1024  # a 4096-character message with entities is well over the app's 8 KiB default
READY_SECONDS = 10.0
PROCESS_SECONDS = 25.0


def _error(status: int, error: str, message: str) -> tuple[Response, int]:
    return jsonify(error=error, message=message), status


def _secret_matches(expected: str | None, given: str | None) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def webhook_blueprint(channel: TelegramChannel) -> Blueprint:
    hooks = Blueprint("telegram", __name__)

    @hooks.post("/telegram/webhook")
    def webhook() -> tuple[Response, int]:
        if not _secret_matches(channel.webhook_secret, request.headers.get(SECRET_HEADER)):
            return _error(403, "Forbidden", "Missing or wrong secret token.")
        request.max_content_length = MAX_UPDATE_BYTES  # only once the sender is known to be Telegram
        try:
            data = json.loads(request.get_data())
        except ValueError:  # includes UnicodeDecodeError
            return _error(400, "Bad Request", "The body is not JSON.")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return _error(400, "Bad Request", "The body is not a Telegram update.")
        try:
            update = Update.de_json(data, channel.bot)
        except Exception:
            return _error(400, "Bad Request", "The body is not a Telegram update.")

        # Ready before the update is recorded: if Telegram is unreachable (getMe), a 503 has it redeliver later.
        try:
            channel.loop.run(channel.ensure_initialized(), READY_SECONDS)
        except Exception as exc:
            log.error("Telegram bot not ready (%s); update left for redelivery", type(exc).__name__)
            return _error(503, "Service Unavailable", "Try again later.")
        if not channel.ledger.first_time(CHANNEL, str(update_id)):
            return jsonify(ok=True, duplicate=True), 200
        try:
            channel.loop.run(channel.process(update), PROCESS_SECONDS)
        except TimeoutError:
            log.warning("Telegram update %d still being processed; acknowledged", update_id)
        except Exception as exc:  # recorded as seen: acknowledge, or Telegram would redeliver it for nothing
            log.error("Telegram update %d failed (%s)", update_id, type(exc).__name__)
        return jsonify(ok=True), 200

    return hooks
