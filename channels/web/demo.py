"""Demo pages: see what the outbox "sent", and sign in to a demo portal.

Registered only in demo mode (RESETDESK_DEMO=true, or a loopback public URL): /demo/outbox shows every code
and link sent through the outbox, so it must never be reachable on a real deployment.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, render_template, request

from channels.web.security import CSP_WIDGET_HOST, csrf_token, refuse_nul, require_csrf
from core.delivery.outbox import Outbox
from core.secrets.ratelimit import Limit, RateLimiter

__all__ = ["WARNING", "DemoSignIn", "demo_blueprint"]

log = logging.getLogger("resetdesk.demo")

WARNING = (
    "DEMO MODE IS ON: /demo/outbox shows every code and reset link sent through the outbox, and /demo/login "
    "signs in to the directory. It is on because RESETDESK_DEMO=true or RESETDESK_PUBLIC_URL is a loopback "
    "address. Never expose this server to other people like this; set RESETDESK_DEMO=false."
)

# (identifier, password) -> "signed_in" | "locked" | "wrong": the embedded directory's timing-equal sign-in.
DemoSignIn = Callable[[str, str], str]


def demo_blueprint(
    kept: Outbox, sign_in: DemoSignIn | None, limiter: RateLimiter, *, sign_ins_per_minute: int
) -> Blueprint:
    """`kept`: the outbox whose messages the page lists. `sign_in`: None when the directory is not the
    embedded one (a real portal signs people in there), and /demo/login is then missing."""
    log.warning(WARNING)
    demo = Blueprint("demo", __name__)
    demo.before_request(refuse_nul)

    @demo.get("/demo")
    def index() -> str:
        return render_template("demo_index.html")

    @demo.get("/demo/outbox")
    def outbox() -> str:
        return render_template("demo_outbox.html", messages=kept.recent(100))

    @demo.route("/demo/login", methods=["GET", "POST"])
    def login() -> tuple[str, int, dict[str, str]]:
        if sign_in is None:
            abort(404)
        result, status, headers = None, 200, {}
        if request.method == "POST":
            require_csrf()
            identifier = request.form.get("identifier", "")
            wait = limiter.hit_all(_sign_in_limits(identifier, sign_ins_per_minute))
            if wait is not None:
                result, status, headers = "busy", 429, {"Retry-After": str(wait)}
            else:
                result = sign_in(identifier, request.form.get("password", ""))
                status = 401 if result == "wrong" else 200
        return render_template("demo_login.html", result=result, csrf=csrf_token()), status, headers

    @demo.get("/demo/widget")
    def widget_host() -> Response:
        response = Response(render_template("demo_widget.html"))
        response.headers["Content-Security-Policy"] = CSP_WIDGET_HOST
        return response

    return demo


def _sign_in_limits(identifier: str, per_minute: int) -> list[Limit]:
    """Per address and per identifier (keyed hash: what was typed may be a password in the wrong field)."""
    key = str(current_app.secret_key or "").encode()
    lookup_form = unicodedata.normalize("NFKC", identifier).strip().casefold()
    typed = hmac.new(key, lookup_form.encode(), hashlib.sha256).hexdigest()[:32]
    return [Limit(f"demo-login:{request.remote_addr}", per_minute), Limit(f"demo-login-id:{typed}", per_minute)]
