"""The web channel: chat pages and widget, chat API, reset page, agent console, demo pages.

WebChannel is built by app.py with its collaborators (history, rate limiter, support relay...) and the
numbers it needs; it builds only its own blueprints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, render_template, request

from bot.engine import Engine
from bot.messages import Reply
from bot.relay import SupportRelay
from channels.contract import BackgroundStart
from channels.web.agent_console import agent_blueprint
from channels.web.chat_api import ChatLimits, chat_api_blueprint
from channels.web.chat_session import ChatSessions
from channels.web.demo import DemoSignIn, demo_blueprint
from channels.web.enroll import EnrollParts, enroll_blueprint
from channels.web.enroll_handover import EnrollHandoverCookie
from channels.web.history import CHANNEL, WebHistory
from channels.web.i18n import install_i18n
from channels.web.metrics import metrics_blueprint
from channels.web.reset_page import ResetPageOptions, reset_blueprint
from channels.web.security import CSP_EMBEDDABLE, secure_headers
from core.delivery.outbox import Outbox
from core.i18n import DEFAULT_LANGUAGES, N_, supported, translator
from core.recovery.service import RecoveryService
from core.reports.figures import Reports
from core.secrets.ratelimit import RateLimiter
from core.secrets.reset_sessions import ResetSessions
from core.support.access import AgentAccess

__all__ = ["ChatLimits", "EnrollParts", "ResetPageOptions", "WebChannel", "WebOptions"]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class WebOptions:
    """The numbers and switches the web channel needs (from settings, picked in app.py)."""

    https: bool  # the public URL is https: secure cookies and HSTS
    chat: ChatLimits
    reset_requests_per_minute: int
    reset_page: ResetPageOptions
    demo: bool  # the demo pages (outbox, sign-in check, widget host)
    demo_sign_ins_per_minute: int
    metrics_token: str | None = None  # GET /metrics wants it as a bearer token; unset: loopback clients only
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # RESETDESK_LANGUAGES: what pages and chat may speak
    default_language: str = "en"  # RESETDESK_DEFAULT_LANGUAGE


class WebChannel:
    name = CHANNEL

    def __init__(
        self,
        engine: Engine,
        service: RecoveryService,
        *,
        history: WebHistory,
        sessions: ChatSessions,
        limiter: RateLimiter,
        relay: SupportRelay,
        agent_access: AgentAccess,
        outbox: Outbox,
        reset_sessions: ResetSessions,
        demo_sign_in: DemoSignIn | None,
        options: WebOptions,
        enroll: EnrollParts | None = None,
        reports: Reports | None = None,
    ) -> None:
        self._engine = engine
        self._service = service
        self._history = history
        self._sessions = sessions
        self._agent_access = agent_access
        self._limiter = limiter
        self._relay = relay
        self._outbox = outbox
        self._reset_sessions = reset_sessions
        self._demo_sign_in = demo_sign_in
        self._options = options
        self._enroll = enroll
        self._reports = reports  # /agent/reports, for admins

    def register(self, app: Flask) -> None:
        options = self._options
        install_i18n(app, options.languages, options.default_language)
        app.register_blueprint(_pages_blueprint(options.languages, options.default_language))
        chat_api = chat_api_blueprint(self._engine, self._history, self._sessions, self._limiter, options.chat)
        app.register_blueprint(chat_api)
        handover = None
        if self._enroll is not None:  # /enroll: people keep their own recovery methods
            handover = EnrollHandoverCookie(self._enroll.handover, https=options.https)
            app.register_blueprint(enroll_blueprint(self._enroll, handover))
        app.register_blueprint(
            reset_blueprint(
                self._engine,
                self._service,
                self._limiter,
                self._reset_sessions,
                requests_per_minute=options.reset_requests_per_minute,
                options=options.reset_page,
                https=options.https,
                on_done=handover.after_reset if handover is not None else None,
            )
        )
        app.register_blueprint(metrics_blueprint(self._service.deps.database, options.metrics_token))
        console = agent_blueprint(self._relay, self._limiter, self._agent_access, self._reports, https=options.https)
        app.register_blueprint(console)
        if options.demo:
            per_minute = options.demo_sign_ins_per_minute
            demo = demo_blueprint(self._outbox, self._demo_sign_in, self._limiter, sign_ins_per_minute=per_minute)
            app.register_blueprint(demo)
        https = options.https
        app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=https)
        app.after_request(lambda response: secure_headers(response, https=https))

    def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """The web chat polls its history: a pushed reply is a history row with its author (e.g. "agent").
        One with a link (an agent sent a reset link) is held for the next poll to show once, live."""
        for reply in replies:
            if reply.link is not None:
                self._history.hold_link(user_id, reply, sender=reply.author)
            else:
                self._history.record(user_id, person_text=None, replies=[reply], sender=reply.author)

    def background(self) -> list[BackgroundStart]:
        return []


# The widget's own words (it runs on other sites' pages, outside our templates).
_WIDGET_WORDS = {
    "open": N_("Open password help chat"),
    "close": N_("Close password help chat"),
    "panel": N_("ResetDesk password help"),
    "title": N_("Password help"),
    "frame": N_("ResetDesk chat"),
}
_WIDGET_SLOT = '{"default": "en", "en": {}} /* RESETDESK_WIDGET_STRINGS */'


def _widget_with_words(source: str, languages: tuple[str, ...], default: str) -> str:
    """widget.js with every offered language's words written in (the widget picks one on the host page)."""
    words: dict[str, object] = {"default": default}
    for lang in supported(languages):
        say = translator(lang).gettext
        words[lang.lower()] = {key: say(msgid) for key, msgid in _WIDGET_WORDS.items()}
    return source.replace(_WIDGET_SLOT, json.dumps(words, ensure_ascii=True))


def _pages_blueprint(languages: tuple[str, ...], default_language: str) -> Blueprint:
    pages = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

    @pages.get("/")
    @pages.get("/chat")
    def chat() -> Response:
        embedded = request.args.get("embed") == "1"
        response = Response(render_template("chat.html", embedded=embedded))
        if embedded:
            response.headers["Content-Security-Policy"] = CSP_EMBEDDABLE
        return response

    widget_source = (_HERE / "static" / "widget.js").read_text(encoding="utf-8")

    @pages.get("/widget.js")
    def widget() -> Response:
        response = Response(_widget_with_words(widget_source, languages, default_language), mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # loaded by other sites' pages
        return response

    return pages
