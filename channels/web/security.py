"""Response headers and CSRF protection for the web pages (reset page, demo pages, agent console)."""

from __future__ import annotations

import hmac
import secrets

from flask import Response, abort, request, session

from core.i18n import N_

__all__ = [
    "CSP_EMBEDDABLE",
    "CSP_STRICT",
    "CSP_WIDGET_HOST",
    "csrf_token",
    "refuse_nul",
    "require_csrf",
    "secure_headers",
]

_BASE = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'"
)
CSP_STRICT = _BASE + "; frame-ancestors 'none'"
CSP_EMBEDDABLE = _BASE + "; frame-ancestors *"  # /chat?embed=1 lives in the widget's iframe on other sites
# /demo/widget hosts the widget, whose panel is an iframe of our own /chat?embed=1: only that frame is allowed.
CSP_WIDGET_HOST = CSP_STRICT + "; frame-src 'self'"


def csrf_token() -> str:
    """The session's CSRF token (synchroniser pattern: kept in the signed session cookie)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def require_csrf() -> None:
    """Abort 400 unless the form field or X-CSRF-Token header matches the session's token."""
    expected = session.get("csrf")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        abort(400, description=N_("This form has expired. Reload the page and try again."))


def refuse_nul() -> None:
    """Abort 400 when a URL part, query parameter or form field holds a NUL character: no one types it, and
    PostgreSQL text cannot store it (the query would fail with a 500)."""
    values = [str(v) for v in (request.view_args or {}).values()]
    for source in (request.args, request.form):
        values.extend(v for _, vs in source.lists() for v in vs)
    if any("\x00" in value for value in values):
        abort(400, description=N_("That input holds a character that is not allowed."))


def secure_headers(response: Response, *, https: bool) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP_STRICT)
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
