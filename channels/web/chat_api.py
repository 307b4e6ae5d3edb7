"""The chat JSON API (DESIGN.md "HTTP surface"). Every error is JSON; nothing here knows the dialog."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from bot.engine import MAX_MESSAGE_CHARS, Engine
from bot.messages import Inbound
from channels.web.history import CHANNEL, ChatHistory
from core.secrets.ratelimit import Limit, RateLimiter

__all__ = ["ChatLimits", "chat_api_blueprint"]

log = logging.getLogger(__name__)

_MAX_SESSION_ID = 64  # token_urlsafe(24) is 32 characters; anything much longer is not ours


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """Requests per minute (the chat_*_per_minute settings): generous for a person, tight for a script."""

    requests: int
    sessions: int
    messages: int


def chat_api_blueprint(engine: Engine, history: ChatHistory, limiter: RateLimiter, per_minute: ChatLimits) -> Blueprint:
    api = Blueprint("chat_api", __name__)

    def is_known(session_id: str) -> bool:
        return len(session_id) <= _MAX_SESSION_ID and history.exists(session_id)

    def not_found() -> NoReturn:
        abort(404, description="No such chat session; it may have expired. Start a new one.")

    @api.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests) -> tuple[Response, int, dict[str, str]]:
        body = jsonify(error="Too Many Requests", message="You're sending messages too fast.")
        return body, 429, {"Retry-After": str(error.retry_after)}

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

    @api.before_request
    def rate_limits() -> None:
        """Every call counts against its address; creating a session also against the address's new-session
        limit, and a message to a session that exists against that session's limit, all in one statement.
        A message to an unknown session counts against its address only, then gets 404: made-up ids must
        not leave rate-limit rows behind."""
        address = request.remote_addr
        limits = [Limit(f"addr:{address}", per_minute.requests)]
        unknown_session = False
        if request.method == "POST" and request.endpoint == f"{api.name}.create_session":
            limits.append(Limit(f"new:{address}", per_minute.sessions))
        elif request.method == "POST" and request.endpoint == f"{api.name}.post_message":
            session_id = (request.view_args or {})["session_id"]
            if is_known(session_id):
                limits.append(Limit(f"session:{session_id}", per_minute.messages))
            else:
                unknown_session = True
        wait = limiter.hit_all(limits)
        if wait is not None:
            raise TooManyRequests(wait)
        if unknown_session:
            not_found()

    @api.after_request
    def no_store(response: Response) -> Response:
        # The widget embeds /chat in an iframe, so calls are same-origin and no CORS header is needed.
        response.headers["Cache-Control"] = "no-store"
        return response

    @api.post("/api/chat/sessions")
    def create_session() -> tuple[Response, int]:
        session_id = secrets.token_urlsafe(24)  # 192 random bits
        replies = engine.open(CHANNEL, session_id)
        last_seq = max(history.record(session_id, person_text=None, replies=replies))
        return jsonify(session_id=session_id, messages=[r.to_json() for r in replies], last_seq=last_seq), 201

    @api.post("/api/chat/sessions/<session_id>/messages")
    def post_message(session_id: str) -> Response:
        # rate_limits() has already answered 404 if the session does not exist.
        body = request.get_json(silent=True)
        text = _text_from(body)
        turn = engine.turn(Inbound(CHANNEL, session_id, text))
        recorded = history.record(session_id, person_text=turn.person_text, replies=turn.replies)
        # Messages pushed since the client's last poll (a live agent) come first, so none is skipped over.
        after = body.get("after") if isinstance(body, dict) else None
        missed: list[dict[str, Any]] = []
        last_seq = max(recorded)
        if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
            missed, newest = history.after(session_id, after, skip=recorded)
            missed = [m for m in missed if m["from"] != "person"]
            last_seq = max(last_seq, newest)
        return jsonify(messages=missed + [r.to_json() for r in turn.replies], last_seq=last_seq)

    @api.get("/api/chat/sessions/<session_id>/messages")
    def get_messages(session_id: str) -> Response:
        if not is_known(session_id):
            not_found()
        after = request.args.get("after", "0")
        if not after.isdigit() or len(after) > 18:
            abort(400, description="'after' must be a whole number of 0 or more.")
        messages, last_seq = history.after(session_id, int(after))
        return jsonify(messages=messages, last_seq=last_seq)

    return api


def _text_from(body: Any) -> str:
    if not isinstance(body, dict):
        abort(400, description='Send a JSON object like {"text": "..."}.')
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        abort(400, description="'text' must be a non-empty string.")
    if len(text) > MAX_MESSAGE_CHARS:
        abort(413, description=f"Messages are limited to {MAX_MESSAGE_CHARS} characters.")
    return text
