"""(d) For comparison: python-telegram-bot's ConversationHandler running a similar 5-state dialog with no
persistence, offline. Updates are built with Update.de_json from dict payloads (outside the timed region)
and each turn is one `await application.process_update(update)`.

process_update() refuses to run before Application.initialize(), and initialize() calls getMe; the bot is
given an in-process BaseRequest that answers getMe itself, so nothing touches the network. The handlers
only compute their reply text (as Engine.handle returns replies and the channel sends them); they do no
understanding of free text beyond a keyword check, so this measures the framework's dispatch cost.

Run from the project root: `python -m bench.ptb_turn`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.common import CODE_PLACEHOLDER, SCRIPT, Figures, figures, print_table

__all__ = ["bench_ptb", "main"]

_BOT_ID = 123456
_TOKEN = f"{_BOT_ID}:offline-benchmark-token"


def _offline_request() -> Any:
    from telegram.request import BaseRequest, RequestData

    class OfflineRequest(BaseRequest):
        """Answers getMe in process; any other Bot API call is a mistake in this benchmark."""

        @property
        def read_timeout(self) -> float | None:
            return None

        async def initialize(self) -> None:
            return None

        async def shutdown(self) -> None:
            return None

        async def do_request(
            self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
        ) -> tuple[int, bytes]:
            if url.endswith("/getMe"):
                me = {"id": _BOT_ID, "is_bot": True, "first_name": "ResetDesk", "username": "resetdesk_bench_bot"}
                return 200, json.dumps({"ok": True, "result": me}).encode()
            raise RuntimeError(f"unexpected Bot API call in an offline benchmark: {url}")

    return OfflineRequest()


def _build_application(sent: list[str]) -> Any:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, ConversationHandler, MessageHandler, filters

    identify, choose, enter_code, awaiting = range(4)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        sent.append("What is your employee ID or username?")
        return identify

    async def got_identifier(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert context.user_data is not None and update.message is not None
        context.user_data["identifier"] = (update.message.text or "").strip()
        sent.append("How would you like to verify? SMS code, email code or questions")
        return choose

    async def got_method(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert context.user_data is not None and update.message is not None
        method = (update.message.text or "").strip().casefold()
        if method not in ("sms", "email", "questions"):
            sent.append("Please pick SMS, email or questions.")
            return choose
        context.user_data["method"] = method
        sent.append(f"I sent a 6-digit code by {method}. Type it here.")
        return enter_code

    async def got_code(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        if not (update.message.text or "").strip().isdigit():
            sent.append("That does not look like a code.")
            return enter_code
        sent.append("Verified. Set your new password here: https://resetdesk.example/reset/...")
        return awaiting

    async def waiting(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        sent.append("Open the link to set your new password; it works for 15 minutes.")
        return awaiting

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        sent.append("Cancelled.")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    conversation = ConversationHandler(
        entry_points=[MessageHandler(text, start)],
        states={
            identify: [MessageHandler(text, got_identifier)],
            choose: [MessageHandler(text, got_method)],
            enter_code: [MessageHandler(text, got_code)],
            awaiting: [MessageHandler(text, waiting)],
        },
        fallbacks=[MessageHandler(filters.Regex(r"(?i)^cancel$"), cancel)],
    )
    request = _offline_request()
    application = (
        Application.builder().token(_TOKEN).request(request).get_updates_request(_offline_request()).updater(None)
    ).build()
    application.add_handler(conversation)
    return application


def _updates(bot: Any, first: int, count: int) -> list[list[Any]]:
    from telegram import Update

    conversations = []
    for number in range(first, first + count):
        user = 10_000 + number
        turns = []
        for turn, template in enumerate(SCRIPT):
            text = "123456" if template == CODE_PLACEHOLDER else template.format(employee_id=f"E{number:05d}")
            payload = {
                "update_id": number * 10 + turn,
                "message": {
                    "message_id": turn + 1,
                    "date": 1_767_600_000 + turn,
                    "chat": {"id": user, "type": "private", "first_name": "Bench"},
                    "from": {"id": user, "is_bot": False, "first_name": "Bench"},
                    "text": text,
                },
            }
            turns.append(Update.de_json(payload, bot))
        conversations.append(turns)
    return conversations


async def _run(application: Any, sent: list[str], first: int, count: int, samples: list[list[int]] | None) -> int:
    clock = time.perf_counter_ns
    conversations = _updates(application.bot, first, count)
    started = clock()
    for updates in conversations:
        for turn, update in enumerate(updates):
            t0 = clock()
            await application.process_update(update)
            t1 = clock()
            if samples is not None:
                samples[turn].append(t1 - t0)
    wall = clock() - started
    if not sent[-1].startswith("Open the link"):
        raise RuntimeError(f"the dialog did not reach its last state: {sent[-3:]}")
    return wall


async def _bench(conversations: int, warmup: int) -> Figures:
    sent: list[str] = []
    application = _build_application(sent)
    await application.initialize()  # answered by OfflineRequest: no network
    try:
        await _run(application, sent, 0, warmup, None)
        gc.collect()
        samples: list[list[int]] = [[] for _ in SCRIPT]
        wall = await _run(application, sent, warmup, conversations, samples)
    finally:
        await application.shutdown()
    return figures("(d) python-telegram-bot ConversationHandler", samples, conversations, wall)


def bench_ptb(conversations: int = 2000, warmup: int = 200) -> Figures | None:
    try:
        import telegram  # noqa: F401
    except ImportError:
        print("(d) skipped: python-telegram-bot is not installed (pip install python-telegram-bot==22.8)")
        return None
    return asyncio.run(_bench(conversations, warmup))


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    scale = float(args[0]) if args else 1.0
    row = bench_ptb(max(1, int(2000 * scale)), max(1, int(200 * scale)))
    if row is not None:
        print_table([row])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
