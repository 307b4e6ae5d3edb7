"""The chat JSON API views (docs/architecture.md, "The HTTP surface"). Every error is JSON; nothing here knows
the dialog.

Which conversation a request belongs to is `chat_session`'s job, how often it may call is `chat_limits`'s;
the views only turn requests into engine turns and history reads.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from bot.engine import MAX_MESSAGE_CHARS, Engine
from bot.messages import Inbound
from channels.web.chat_limits import Call, ChatLimits, limits_for
from channels.web.chat_session import ChatSessions
from channels.web.history import CHANNEL, ChatHistory
from channels.web.i18n import page_language
from core.metrics import record
from core.secrets.ratelimit import RateLimiter

__all__ = ["ChatLimits", "chat_api_blueprint"]

log = logging.getLogger(__name__)

# One answer for a missing, malformed or unknown token: it never says whether a conversation exists.
_NO_SESSION = "This chat session has ended or was not found. Start a new one."
_RETIRED = "This address is no longer used. Start a chat with POST /api/chat/sessions; it sets a session cookie."


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


class NoSession(Exception):
    pass


class Gate:
    """Counts a call against its limits, then finds its conversation: 429 before 401, so guessing costs."""

    def __init__(self, sessions: ChatSessions, limiter: RateLimiter, per_minute: ChatLimits) -> None:
        self._sessions = sessions
        self._limiter = limiter
        self._per_minute = per_minute

    def admit(self, call: Call) -> str:
        """The conversation key for a call that needs one (MESSAGE, POLL); "" for the others."""
        key = self._sessions.current() if call in (Call.MESSAGE, Call.POLL) else None
        address = request.remote_addr or "unknown"
        wait = self._limiter.hit_all(limits_for(call, self._per_minute, address=address, session_key=key))
        if wait is not None:
            raise TooManyRequests(wait)
        if call in (Call.MESSAGE, Call.POLL) and key is None:
            raise NoSession()
        return key or ""


def chat_api_blueprint(
    engine: Engine, history: ChatHistory, sessions: ChatSessions, limiter: RateLimiter, per_minute: ChatLimits
) -> Blueprint:
    api = Blueprint("chat_api", __name__)
    gate = Gate(sessions, limiter, per_minute)
    _install_error_handlers(api)

    @api.post("/api/chat/sessions")
    @record.chat_request("session")
    def create_session() -> Response:
        gate.admit(Call.NEW_SESSION)
        new = sessions.issue()
        replies = engine.open(CHANNEL, new.key, page_language())  # until the person picks one
        last_seq = max(history.record(new.key, person_text=None, replies=replies))
        body = {"session_token": new.token, "messages": [r.to_json() for r in replies], "last_seq": last_seq}
        response = jsonify(body)
        response.status_code = 201
        sessions.set_cookie(response, new.token)
        return response

    @api.post("/api/chat/messages")
    @record.chat_request("message")
    def post_message() -> Response:
        key = gate.admit(Call.MESSAGE)
        body = request.get_json(silent=True)
        turn = engine.turn(Inbound(CHANNEL, key, _text_from(body), locale=page_language()))
        recorded = history.record(key, person_text=turn.person_text, replies=turn.replies)
        # Messages pushed since the client's last poll (a live agent) come first, so none is skipped over.
        after = body.get("after") if isinstance(body, dict) else None
        missed: list[dict[str, Any]] = []
        last_seq = max(recorded)
        if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
            missed, newest = history.after(key, after, skip=recorded)
            missed = [m for m in missed if m["from"] != "person"]
            last_seq = max(last_seq, newest)
        # person_text: the message as kept ("[redacted]" for a code or an answer), so the page can show a
        # command typed at a masked prompt ("help") as typed rather than as dots.
        return jsonify(
            messages=missed + [r.to_json() for r in turn.replies], last_seq=last_seq, person_text=turn.person_text
        )

    @api.get("/api/chat/messages")
    @record.chat_request("poll")
    def get_messages() -> Response:
        key = gate.admit(Call.POLL)
        after = request.args.get("after", "0")
        if not after.isdigit() or len(after) > 18:
            abort(400, description="'after' must be a whole number of 0 or more.")
        messages, last_seq = history.after(key, int(after))
        return jsonify(messages=messages, last_seq=last_seq)

    @api.route("/api/chat/sessions/<path:retired>", methods=["GET", "POST"])
    @record.chat_request("retired")
    def retired_path(retired: str) -> NoReturn:
        # The old contract put the session id in the path (and so in every access log): refused whatever it is.
        gate.admit(Call.OTHER)
        abort(410, description=_RETIRED)

    return api


def _install_error_handlers(api: Blueprint) -> None:
    @api.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests) -> tuple[Response, int, dict[str, str]]:
        body = jsonify(error="Too Many Requests", message="You're sending messages too fast.")
        return body, 429, {"Retry-After": str(error.retry_after)}

    @api.errorhandler(NoSession)
    def no_session(error: NoSession) -> tuple[Response, int, dict[str, str]]:
        return jsonify(error="Unauthorized", message=_NO_SESSION), 401, {"WWW-Authenticate": "Bearer"}

    @api.errorhandler(SQLAlchemyError)
    def database_unavailable(error: SQLAlchemyError) -> tuple[Response, int, dict[str, str]]:
        # The turn did not complete, and a claimed conversation is only saved whole: nothing of the message
        # was kept, so the person is asked to send it again. (The widget resends 5xx answers by itself.)
        log.error("chat request failed: database unavailable (%s)", type(error).__name__)
        body = jsonify(
            error="Service Unavailable",
            message="Sorry, I couldn't take that message just now. Please send it again in a moment.",
        )
        return body, 503, {"Retry-After": "5"}

    @api.after_request
    def no_store(response: Response) -> Response:
        # The widget embeds /chat in an iframe, so calls are same-origin and no CORS header is needed.
        response.headers["Cache-Control"] = "no-store"
        return response


def _text_from(body: Any) -> str:
    if not isinstance(body, dict):
        abort(400, description='Send a JSON object like {"text": "..."}.')
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        abort(400, description="'text' must be a non-empty string.")
    if len(text) > MAX_MESSAGE_CHARS:
        abort(413, description=f"Messages are limited to {MAX_MESSAGE_CHARS} characters.")
    return text
