"""Demo pages: see what the outbox "sent", and sign in to a demo portal.

Registered only in demo mode (RESETDESK_DEMO=true, or a loopback public URL): /demo/outbox shows every code
and link sent through the outbox, so it must never be reachable on a real deployment.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from channels.web.security import csrf_token, refuse_nul, require_csrf
from core.directory.sql import SqlDirectory, identifier_key
from core.secrets.ratelimit import Limit, RateLimiter
from core.storage.db import Database
from core.storage.models import OutboxMessage

__all__ = ["demo_blueprint"]

log = logging.getLogger("resetdesk.demo")

WARNING = (
    "DEMO MODE IS ON: /demo/outbox shows every code and reset link sent through the outbox, and /demo/login "
    "signs in to the directory. It is on because RESETDESK_DEMO=true or RESETDESK_PUBLIC_URL is a loopback "
    "address. Never expose this server to other people like this; set RESETDESK_DEMO=false."
)


def demo_blueprint(
    database: Database, directory: SqlDirectory, limiter: RateLimiter, *, sign_ins_per_minute: int
) -> Blueprint:
    log.warning(WARNING)
    demo = Blueprint("demo", __name__)
    demo.before_request(refuse_nul)

    @demo.get("/demo")
    def index() -> str:
        return render_template("demo_index.html")

    @demo.get("/demo/outbox")
    def outbox() -> str:
        with database.transaction() as session:
            messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
        return render_template("demo_outbox.html", messages=messages)

    @demo.route("/demo/login", methods=["GET", "POST"])
    def login() -> tuple[str, int, dict[str, str]]:
        result, status, headers = None, 200, {}
        if request.method == "POST":
            require_csrf()
            identifier = request.form.get("identifier", "")
            wait = limiter.hit_all(_sign_in_limits(identifier, sign_ins_per_minute))
            if wait is not None:
                result, status, headers = "busy", 429, {"Retry-After": str(wait)}
            else:
                result = directory.sign_in(identifier, request.form.get("password", ""))
                status = 401 if result == "wrong" else 200
        return render_template("demo_login.html", result=result, csrf=csrf_token()), status, headers

    @demo.get("/demo/widget")
    def widget_host() -> str:
        return render_template("demo_widget.html")

    return demo


def _sign_in_limits(identifier: str, per_minute: int) -> list[Limit]:
    """Per address and per identifier (keyed hash: what was typed may be a password in the wrong field)."""
    key = str(current_app.secret_key or "").encode()
    typed = hmac.new(key, identifier_key(identifier).encode(), hashlib.sha256).hexdigest()[:32]
    return [Limit(f"demo-login:{request.remote_addr}", per_minute), Limit(f"demo-login-id:{typed}", per_minute)]
