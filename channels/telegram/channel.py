"""The Telegram adapter on python-telegram-bot: updates -> Inbound -> Engine.turn -> rendered replies.

PTB is asyncio and Flask is threaded: the Application lives on one event loop in a daemon thread
(LoopThread); the webhook view and push deliveries hand it work. Engine.turn does database I/O, so it runs
in the loop's thread pool. No dialog logic here: the engine decides what to say.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from flask import Flask
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, ExtBot, MessageHandler, filters

from bot.dedupe import EventLedger
from bot.engine import Engine, Turn
from bot.messages import Inbound, Reply
from channels.contract import BackgroundStart
from channels.telegram.api import RetryPolicy, call_api, use_timedelta_periods
from channels.telegram.render import OutgoingMessage, render
from channels.telegram.runner import LoopThread
from core.i18n import N_, translator

__all__ = ["CHANNEL", "PRIVATE_ONLY", "TEXT_ONLY", "TelegramChannel"]

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Said outside a chat turn (a group, a sticker): msgids, worded in the sender's Telegram language.
PRIVATE_ONLY = N_("Please message me privately: I can only help in a direct chat.")
TEXT_ONLY = N_("I can only read text messages. Please type your answer.")
_MESSAGE_ME = N_("Message me")
SHUTDOWN_SECONDS = 10.0


def as_typed(text: str) -> str:
    """Telegram's bot commands as the words they stand for: "/help@ResetDeskBot" -> "help". /start stays
    /start (the engine knows it) and drops a deep-link payload, which is not something the person said."""
    if not text.startswith("/"):
        return text
    command, _, rest = text.partition(" ")
    command = command.split("@", 1)[0]
    if command == "/start":
        return command
    return f"{command[1:]} {rest}".strip()


class TelegramChannel:
    """The Telegram channel behind the Channel contract: the webhook when a secret is set, else long polling."""

    name = CHANNEL

    def __init__(
        self,
        *,
        engine: Engine,
        ledger: EventLedger,
        token: str,
        api_url: str | None = None,
        webhook_secret: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        use_timedelta_periods()
        self.engine = engine
        self.ledger = ledger
        self.webhook_secret = webhook_secret
        self.retry = retry or RetryPolicy()
        builder = Application.builder().token(token).updater(None)
        if api_url:  # PTB appends the token to the base URL: <api_url>/bot<token>/<method>
            base = api_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.application = builder.build()
        self.application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT, self._on_text)
        )
        self.application.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, self._on_other
            )
        )
        self.application.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, self._on_shared
            )
        )
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self.application.add_error_handler(self._on_error)
        self.loop = LoopThread("telegram-loop")
        self.handler_errors = 0  # errors that escaped a handler (tests assert there are none)
        self.initialized = False
        self._init_lock = asyncio.Lock()
        self._polling: concurrent.futures.Future[None] | None = None

    @property
    def bot(self) -> ExtBot[None]:
        return self.application.bot

    # -- the Channel contract: routes and background work (deliver is below) ---------------------------

    def register(self, app: Flask) -> None:
        from channels.telegram.webhook import webhook_blueprint  # it imports this module

        app.register_blueprint(webhook_blueprint(self))

    def background(self) -> list[BackgroundStart]:
        # No webhook without a secret: development uses long polling (started by `app.py run`).
        return [] if self.webhook_secret else [self.start_polling]

    # -- lifecycle ------------------------------------------------------------------------------------

    async def ensure_initialized(self) -> None:
        """Initialize the Application (getMe) once; a failure is raised and retried on the next call."""
        async with self._init_lock:
            if not self.initialized:
                await self.application.initialize()
                self.initialized = True

    def close(self) -> None:
        """Stop polling, shut the Application down (closes its HTTP clients) and end the loop thread."""

        async def shutdown() -> None:
            await self.application.shutdown()
            await self.application.bot.shutdown()  # when getMe failed, the Application was never initialized

        self.loop.close(shutdown, timeout=SHUTDOWN_SECONDS)

    # -- handlers -------------------------------------------------------------------------------------

    async def process(self, update: Update) -> None:
        await self.ensure_initialized()
        await self.application.process_update(update)

    async def _turn(self, user_id: int, text: str, locale: str | None) -> Turn:
        inbound = Inbound(CHANNEL, str(user_id), text, locale=locale)
        return await asyncio.to_thread(self.engine.turn, inbound)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.message, update.effective_user
        if message is None or message.text is None or user is None or user.is_bot:
            return
        turn = await self._turn(user.id, as_typed(message.text), user.language_code)
        if turn.answered_secret:  # a code or an answer: take it off the screen (bots may, in private chats)
            await self._quietly("deleteMessage", lambda: self.bot.delete_message(message.chat_id, message.message_id))
        await self.send(message.chat_id, turn.replies)

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            gettext = self._words_for(update.effective_user)
            await self.send(update.message.chat_id, [Reply(gettext(TEXT_ONLY))])

    async def _on_shared(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups and channels: recovery never runs where others can read; point to the private chat."""
        if update.message is not None:
            await self._send_private_only(update.message.chat_id, update.effective_user)

    async def _send_private_only(self, chat_id: int, user: User | None) -> None:
        gettext = self._words_for(user)
        username = self.bot.username if self.initialized else None
        markup = None
        if username:
            button = InlineKeyboardButton(gettext(_MESSAGE_ME), url=f"https://t.me/{username}")
            markup = InlineKeyboardMarkup([[button]])
        await self._send_messages(chat_id, [(gettext(PRIVATE_ONLY), markup)])

    def _words_for(self, user: User | None) -> Callable[[str], str]:
        """gettext in the sender's Telegram language (or the default), for what is said outside a turn."""
        return translator(self.engine.language({}, user.language_code if user else None)).gettext

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await self._quietly("answerCallbackQuery", lambda: self.bot.answer_callback_query(query.id))
        message, user = query.message, query.from_user
        if message is not None and message.chat.type != ChatType.PRIVATE:
            await self._send_private_only(message.chat.id, user)
            return
        if isinstance(message, Message):  # still accessible (under 48 h old)
            # A keyboard answers once: a double tap, or a press racing its removal, is not a second answer.
            key = f"press:{message.chat.id}:{message.message_id}"
            if not await asyncio.to_thread(self.ledger.first_time, CHANNEL, key):
                return
            await self._quietly(
                "editMessageReplyMarkup",
                lambda: self.bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id),
            )
        if not query.data or user.is_bot:
            return
        turn = await self._turn(user.id, query.data, user.language_code)
        await self.send(user.id, turn.replies)  # a private chat's id is the user's id

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handler_errors += 1
        error = context.error
        log.error("Telegram update not handled (%s at %s)", type(error).__name__, _where(error))

    # -- sending --------------------------------------------------------------------------------------

    async def send(self, chat_id: int, replies: list[Reply]) -> bool:
        """Send replies in order; on a final API failure log it and stop (the conversation is saved,
        so the person's next message carries on)."""
        try:
            for reply in replies:
                try:
                    await self._send_messages(chat_id, render(reply))
                except BadRequest:
                    if reply.link is None:
                        raise
                    # Telegram refuses some URLs in buttons (e.g. a localhost public URL in development).
                    log.warning("Telegram refused the link button; sending the link in the text")
                    await self._send_messages(chat_id, render(reply, link_button=False))
        except Forbidden:
            log.info("Telegram: the person blocked the bot; replies not delivered")
            return False
        except TelegramError as exc:
            log.error("Telegram: replies not delivered (%s)", type(exc).__name__)
            return False
        return True

    async def _send_messages(self, chat_id: int, messages: list[OutgoingMessage]) -> None:
        for text, markup in messages:
            await call_api(
                "sendMessage",
                functools.partial(self.bot.send_message, chat_id=chat_id, text=text, reply_markup=markup),
                self.retry,
            )

    async def _quietly(self, method: str, call: Callable[[], Awaitable[Any]]) -> None:
        """A courtesy call (delete, answer, edit): its failure is logged and otherwise ignored."""
        try:
            await call_api(method, call, self.retry)
        except TelegramError as exc:
            log.info("Telegram %s failed (%s); ignored", method, type(exc).__name__)

    def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """Push replies later (reset finished, a live agent): in a private chat, chat id == user id.
        Returns at once; the send (with its retries) runs on the loop."""
        try:
            chat_id = int(user_id)
        except ValueError:
            log.warning("Telegram push to a user id that is not a number; dropped")
            return

        async def push() -> None:
            await self.ensure_initialized()
            await self.send(chat_id, replies)

        try:
            future = self.loop.submit(push())
        except RuntimeError:
            log.warning("Telegram push after shutdown; dropped")
            return
        future.add_done_callback(_log_background_failure)

    # -- long polling (development) ---------------------------------------------------------------------

    def start_polling(self) -> None:
        from channels.telegram.polling import poll

        if self._polling is None:
            self._polling = self.loop.submit(poll(self))
            self._polling.add_done_callback(_log_background_failure)


def _where(error: BaseException | None) -> str:
    """Where a handler failed, for the log; not what the exception says (it may quote a person's message)."""
    frame = error.__traceback__ if error is not None else None
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame is not None else "?"


def _log_background_failure(future: concurrent.futures.Future[None]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        log.error("Telegram background work failed (%s)", type(error).__name__)
