"""A local fake of the Telegram Bot API (its wire format) for tests: fixture `telegram_api`.

POST /bot<token>/<method> with a JSON, form-encoded or query-string body; answers `{"ok": true, "result": ...}`
with the real result shapes, or `{"ok": false, "error_code", "description"[, "parameters"]}`. Implements
getMe, sendMessage, deleteMessage, answerCallbackQuery, editMessageReplyMarkup, deleteWebhook and getUpdates
(long polling from `queue_update`). Records every call; `fail_next` makes the next calls fail (429/500).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.http import serving

__all__ = ["FakeTelegramApi", "TelegramCall", "running_telegram_api", "telegram_api"]

TOKEN = "123:ABC"
JSON_FIELDS = {"reply_markup", "allowed_updates", "reply_parameters", "link_preview_options", "entities"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
Result = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class TelegramCall:
    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)


def _fail(code: int, description: str, **parameters: Any) -> Result:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


def _ok(result: Any) -> Result:
    return 200, {"ok": True, "result": result}


def _coerce(params: dict[str, Any]) -> dict[str, Any]:
    """Form and query values are strings; the Bot API reads JSON-serialised objects and numbers from them."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and key in JSON_FIELDS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_FIELDS and value.lstrip("-").isdigit():
            value = int(value)
        out[key] = value
    return out


class FakeTelegramApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.url = ""
        self.calls: list[TelegramCall] = []
        self.reject_local_url_buttons = False  # like Telegram, refuse http://127.0.0.1/localhost button URLs
        self._failures: list[tuple[str | None, int]] = []
        self._message_ids = itertools.count(1000)
        self.sent: list[dict[str, Any]] = []  # the Message of each successful sendMessage, as returned
        self._sent: dict[tuple[int, int], dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()

    # -- test controls ------------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500, *, method: str | None = None) -> None:
        """The next `n` calls (of `method`, or of any method) fail with `status`: 429 carries retry_after 1."""
        with self._changed:
            self._failures.extend([(method, status)] * n)

    def clear_failures(self) -> None:
        with self._changed:
            self._failures.clear()

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for getUpdates (long polling) to return."""
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    def calls_to(self, method: str) -> list[TelegramCall]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def sent_texts(self) -> list[str]:
        return [str(call.params.get("text")) for call in self.calls_to("sendMessage")]

    def wait_for(self, condition: Callable[[FakeTelegramApi], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self):
                remaining = deadline - time.monotonic()
                assert remaining > 0, "timed out waiting for the fake Telegram API"
                self._changed.wait(remaining)

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()

    # -- the API --------------------------------------------------------------------------------------

    def handle(self, path: str, params: dict[str, Any]) -> Result:
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return _fail(404, "Not Found")
        token, method = parts[0][3:], parts[1]
        params = _coerce(params)
        with self._changed:
            self.calls.append(TelegramCall(method, params, token))
            self._changed.notify_all()
            failure = next((f for f in self._failures if f[0] in (None, method)), None)
            if failure is not None and token == self.token:
                self._failures.remove(failure)
        if token != self.token:
            return _fail(401, "Unauthorized")
        if failure is not None:
            if failure[1] == 429:
                return _fail(429, "Too Many Requests: retry after 1", retry_after=1)
            return _fail(failure[1], "Internal Server Error")
        handler = getattr(self, "_" + method, None)
        if handler is None:
            return _fail(404, "Not Found: method not found")
        result: Result = handler(params)
        return result

    def _me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "ResetDesk", "username": "resetdesk_test_bot"}

    def _getMe(self, params: dict[str, Any]) -> Result:
        return _ok(
            self._me()
            | {"can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        )

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Team chat"}
        return {"id": chat_id, "type": "private", "first_name": "Jordan"}

    def _check_markup(self, markup: Any) -> str | None:
        if markup is None:
            return None
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            return "Bad Request: can't parse reply keyboard markup JSON object"
        for button in itertools.chain.from_iterable(rows):
            if not button.get("text"):
                return "Bad Request: text buttons are unallowed in the inline keyboard"
            data, url = button.get("callback_data"), button.get("url")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                return "Bad Request: BUTTON_DATA_INVALID"
            if url is not None:
                host = urlsplit(str(url)).hostname or ""
                if self.reject_local_url_buttons and host in ("127.0.0.1", "localhost"):
                    return f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            if (data is None) == (url is None):
                return 'Bad Request: can\'t find field "callback_data" or "url"'
        return None

    def _sendMessage(self, params: dict[str, Any]) -> Result:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, int):
            return _fail(400, "Bad Request: chat not found")
        if not text or not str(text).strip():
            return _fail(400, "Bad Request: message text is empty")
        if len(str(text)) > 4096:
            return _fail(400, "Bad Request: message is too long")
        problem = self._check_markup(params.get("reply_markup"))
        if problem:
            return _fail(400, problem)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self._me(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._changed:
            self._sent[(chat_id, message["message_id"])] = message
            self.sent.append(message)
            self._changed.notify_all()
        return _ok(message)

    def _deleteMessage(self, params: dict[str, Any]) -> Result:
        if not isinstance(params.get("chat_id"), int) or not isinstance(params.get("message_id"), int):
            return _fail(400, "Bad Request: message to delete not found")
        return _ok(True)

    def _answerCallbackQuery(self, params: dict[str, Any]) -> Result:
        if not params.get("callback_query_id"):
            return _fail(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        return _ok(True)

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Result:
        if params.get("inline_message_id"):
            return _ok(True)
        key = (params.get("chat_id"), params.get("message_id"))
        with self._changed:
            message = self._sent.get(key)  # type: ignore[arg-type]
            if message is None:
                return _fail(400, "Bad Request: message to edit not found")
            if params.get("reply_markup") == message.get("reply_markup"):
                return _fail(400, "Bad Request: message is not modified")
            message = {k: v for k, v in message.items() if k != "reply_markup"}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            message["edit_date"] = int(time.time())
            self._sent[key] = message  # type: ignore[index]
        return _ok(message)

    def _deleteWebhook(self, params: dict[str, Any]) -> Result:
        return _ok(True)

    def _getUpdates(self, params: dict[str, Any]) -> Result:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 60.0)
        with self._changed:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._stopping.is_set():
                    return _ok(ready[: int(params.get("limit") or 100)])
                self._changed.wait(remaining)


def _handler_for(api: FakeTelegramApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from api.telegram.org

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            split = urlsplit(self.path)
            params: dict[str, Any] = {k: v[0] for k, v in parse_qs(split.query).items()}
            content_type = self.headers.get("Content-Type", "")
            try:
                if content_type.startswith("application/json"):
                    params |= json.loads(body or b"{}")
                elif body:
                    params |= {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
                status, payload = api.handle(split.path, params)
            except (ValueError, TypeError):
                status, payload = _fail(400, "Bad Request: can't parse JSON")
            self._reply(status, payload)

        do_GET = do_POST

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            with contextlib.suppress(ConnectionError):  # the client may have given up (shutdown mid-poll)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet (and codes out of it)

    return Handler


@contextlib.contextmanager
def running_telegram_api(token: str = TOKEN) -> Iterator[FakeTelegramApi]:
    api = FakeTelegramApi(token)
    with serving(_handler_for(api), name="fake-telegram", before_stop=api.stop) as url:  # stop: release getUpdates
        api.url = url
        yield api


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegramApi]:
    with running_telegram_api() as api:
        yield api
