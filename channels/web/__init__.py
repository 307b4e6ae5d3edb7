"""The web channel: chat pages and widget, chat API, reset page, agent console, demo pages."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, render_template, request

from bot.engine import Engine
from bot.messages import Reply
from bot.relay import SupportRelay
from channels.web.agent_console import agent_blueprint
from channels.web.chat_api import chat_api_blueprint
from channels.web.demo import demo_blueprint
from channels.web.history import CHANNEL, ChatHistory
from channels.web.reset_page import reset_blueprint
from channels.web.security import CSP_EMBEDDABLE, install_log_redaction, secure_headers
from core.clock import Clock
from core.directory.sql import SqlDirectory
from core.recovery.service import RecoveryService
from core.secrets.ratelimit import RateLimiter
from core.secrets.reset_sessions import ResetSessions
from core.storage.db import Database
from core.support.desk import SupportDesk

__all__ = ["register_web"]

_HERE = Path(__file__).resolve().parent


def register_web(
    app: Flask,
    *,
    engine: Engine,
    service: RecoveryService,
    database: Database,
    directory: SqlDirectory,
    clock: Clock,
    support: SupportDesk,
    demo: bool,
) -> None:
    install_log_redaction()
    history = ChatHistory(database, clock)
    limiter = RateLimiter(database, clock)
    https = service.settings.public_url.startswith("https://")

    def deliver(session_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            history.record(session_id, person_text=None, replies=[reply], sender=reply.author)

    engine.push.register(CHANNEL, deliver)

    pages = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

    @pages.get("/")
    @pages.get("/chat")
    def chat() -> Response:
        embedded = request.args.get("embed") == "1"
        response = Response(render_template("chat.html", embedded=embedded))
        if embedded:
            response.headers["Content-Security-Policy"] = CSP_EMBEDDABLE
        return response

    widget_source = (_HERE / "static" / "widget.js").read_bytes()

    @pages.get("/widget.js")
    def widget() -> Response:
        response = Response(widget_source, mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # loaded by other sites' pages
        return response

    app.register_blueprint(pages)
    app.register_blueprint(chat_api_blueprint(engine, history, limiter, service.settings))
    reset_sessions = ResetSessions(database, clock, ttl_seconds=service.settings.reset_token_ttl_seconds)
    app.register_blueprint(reset_blueprint(engine, service, limiter, reset_sessions))
    relay = SupportRelay(engine, support, service)
    sign_ins = service.settings.agent_sign_ins_per_5_minutes
    app.register_blueprint(agent_blueprint(support, relay, limiter, sign_ins_per_5_minutes=sign_ins))
    if demo:
        per_minute = service.settings.demo_sign_ins_per_minute
        app.register_blueprint(demo_blueprint(database, directory, limiter, sign_ins_per_minute=per_minute))
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=https)
    app.after_request(lambda response: secure_headers(response, https=https))
