"""A local fake of Slack's Web API (https://slack.com/api/<method>) for tests: fixture `slack_api`, or
`running_slack_api()` as a context manager.

Speaks the real wire format: GET query or POST form/JSON bodies, the bot token as `Authorization: Bearer`
(or a `token` field), HTTP 200 with `{"ok": true, ...}` or `{"ok": false, "error": "..."}`, 429 with Retry-After.
Implements chat.postMessage, chat.update, conversations.open, users.info, auth.test and views.open (modals,
slack_views.py), checks Block Kit limits (invalid_blocks, slack_blocks.py), and records every call.
Point `WebClient(base_url=api.url)` at it (the URL ends with "/").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.http import serving
from tests.fakes.slack_blocks import block_errors
from tests.fakes.slack_views import FakeViews

__all__ = ["ApiCall", "FakeSlackApi", "running_slack_api", "slack_api"]

TEAM_ID = "T0RESETDSK"
BOT_USER_ID = "U0RESETBOT"
BOT_ID = "B0RESETBOT"
APP_ID = "A0RESETDSK"


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: dict[str, Any]  # JSON body, or form/query fields (with `blocks` decoded from its JSON string)
    token: str | None
    status: int  # the HTTP status the fake answered
    ok: bool


@dataclass
class _Failure:
    status: int
    method: str | None
    retry_after: int


class FakeSlackApi:
    def __init__(self) -> None:
        self.bot_token = "xoxb-" + secrets.token_hex(12)
        self.url = ""  # http://127.0.0.1:PORT/api/
        self.calls: list[ApiCall] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: set[str] = set()
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.delays: dict[str, float] = {}  # method -> seconds each call of it waits before answering
        self.modals = FakeViews(team_id=TEAM_ID, app_id=APP_ID, bot_id=BOT_ID)
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._counter = 0

    # -- test controls ------------------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str = "jordan",
        is_bot: bool = False,
        locale: str = "en-US",
    ) -> None:
        profile: dict[str, Any] = {"real_name": name.title(), "display_name": name}
        if email is not None:  # absent without the users:read.email scope, or for guests
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": False,
            "real_name": name.title(),
            "is_bot": is_bot,
            "profile": profile,
            "locale": locale,  # sent only when users.info is asked with include_locale=true, as Slack does
        }

    def add_channel(self, channel_id: str) -> None:
        self.channels.add(channel_id)

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The id of the bot's direct-message channel with a user (stable, like Slack's)."""
        return "D" + hashlib.sha256(user_id.encode()).hexdigest()[:10].upper()

    def fail_next(self, n: int, status: int = 500, *, method: str | None = None, retry_after: int = 1) -> None:
        """The next `n` calls (of `method`, or any) get `status`: 429 with Retry-After, or a 5xx."""
        with self._lock:
            self._failures.extend(_Failure(status, method, retry_after) for _ in range(n))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (ok is None or c.ok is ok)]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Arguments of the chat.postMessage calls that succeeded (to `channel`)."""
        return [c.args for c in self.calls_to("chat.postMessage", ok=True) if channel in (None, c.args["channel"])]

    # -- the API ------------------------------------------------------------------------------------------------

    def handle(self, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any], int | None]:
        time.sleep(self.delays.get(method, 0))
        with self._lock:
            failure = next((f for f in self._failures if f.method in (None, method)), None)
            if failure is not None:
                self._failures.remove(failure)
        if failure is not None:
            status, retry_after = failure.status, failure.retry_after if failure.status == 429 else None
            payload = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
        else:
            status, retry_after = 200, None
            payload = self._answer(method, args, token)
        with self._lock:
            self.calls.append(ApiCall(method, args, token, status, bool(payload.get("ok"))))
        return status, payload, retry_after

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not secrets.compare_digest(token, self.bot_token):
            return {"ok": False, "error": "invalid_auth"}
        handler = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.open": self._open,
            "users.info": self._users_info,
            "views.open": self.modals.open,
        }.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        return handler(args)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://resetdesk-test.slack.com/",
            "team": "ResetDesk Test",
            "user": "resetdesk",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _known_channel(self, channel: str) -> bool:
        return channel in self.channels or any(self.dm_channel(u) == channel for u in self.users)

    def _message_errors(self, args: dict[str, Any]) -> dict[str, Any] | None:
        if not self._known_channel(str(args.get("channel", ""))):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if "blocks" in args and (errors := block_errors(args["blocks"])):
            return {
                "ok": False,
                "error": "invalid_blocks",
                "errors": errors,
                "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
            }
        return None

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        if (error := self._message_errors(args)) is not None:
            return error
        with self._lock:
            self._counter += 1
            ts = f"{int(time.time())}.{self._counter:06d}"
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "team": TEAM_ID,
            "text": args.get("text", ""),
            "ts": ts,
        }
        if "blocks" in args:
            message["blocks"] = args["blocks"]
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.messages[(args["channel"], ts)] = message
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        if (error := self._message_errors(args)) is not None:
            return error
        key = (str(args["channel"]), str(args.get("ts", "")))
        message = self.messages.get(key)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("bot_id") != BOT_ID:
            return {"ok": False, "error": "cant_update_message"}
        message.update(text=args.get("text", ""), edited={"user": BOT_USER_ID, "ts": f"{time.time():.6f}"})
        if "blocks" in args:
            message["blocks"] = args["blocks"]
        return {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"], "message": message}

    def _open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return {"ok": False, "error": "not_enough_users"}  # group DMs are out of this fake's scope
        if users[0] not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": self.dm_channel(users[0])}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if str(args.get("include_locale", "")).lower() not in ("true", "1"):
            user = {key: value for key, value in user.items() if key != "locale"}
        return {"ok": True, "user": user}


def _handler_for(api: FakeSlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(dict(parse_qs(urlsplit(self.path).query)), is_json=False)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                try:
                    body = json.loads(raw or "{}")
                except json.JSONDecodeError:
                    self._reply(200, {"ok": False, "error": "invalid_json"})
                    return
                self._serve(body, is_json=True)
            else:
                self._serve(dict(parse_qs(raw, keep_blank_values=True)), is_json=False)

        def _serve(self, fields: dict[str, Any], *, is_json: bool) -> None:
            path = urlsplit(self.path).path
            if not path.startswith("/api/"):
                self._reply(404, {"ok": False, "error": "not_found"})
                return
            args = fields if is_json else {k: v[0] for k, v in fields.items()}
            for name in ("blocks", "view"):  # form bodies carry them as JSON strings
                if isinstance(args.get(name), str):
                    with contextlib.suppress(json.JSONDecodeError):
                        args[name] = json.loads(args[name])
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
            status, payload, retry_after = api.handle(path.removeprefix("/api/"), args, token)
            self._reply(status, payload, retry_after)

        def _reply(self, status: int, payload: dict[str, Any], retry_after: int | None = None) -> None:
            data = json.dumps(payload).encode()
            with contextlib.suppress(ConnectionError):
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", str(retry_after))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@contextlib.contextmanager
def running_slack_api() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi()
    with serving(_handler_for(api), name="fake-slack") as url:
        api.url = url + "/api/"
        yield api


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with running_slack_api() as api:
        yield api
