"""The secure page where the new password is set. The server judges every password (the meter asks it).

`GET /reset/<token>` is the only request that carries the token: it moves it into a server-side session
(core.secrets.reset_sessions) and answers 303 to /reset/set-password, so the token is not in the address
bar, history, any later access-log line or a Referer. The session cookie is HttpOnly and SameSite=Lax: the
link is opened from an email, Slack or Telegram, a cross-site navigation, and a Strict cookie set on it would
not be sent on the redirect that follows it. The form's POSTs are same-site and CSRF-protected as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, jsonify, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from bot.engine import Engine
from channels.web.i18n import follow_language
from channels.web.security import csrf_token, require_csrf
from core.i18n import N_, gettext
from core.recovery.service import RecoveryService
from core.secrets.password_policy import PolicyResult
from core.secrets.ratelimit import RateLimiter
from core.secrets.reset_sessions import ResetSessions
from core.types import ResetOutcome, ResetStatus

__all__ = ["COOKIE", "FORM_PATH", "ResetPageOptions", "meter", "reset_blueprint"]

# The form posts a password and its confirmation (the fields allow 4096 characters each, up to 4 bytes of
# UTF-8 and 3x that URL-encoded): above the app's 8 KiB body limit, so the policy can say what is wrong.
MAX_FORM_BYTES = 128 * 1024
_STATUS = {ResetStatus.MISMATCH: 422, ResetStatus.REJECTED: 422, ResetStatus.FAILED: 503}
COOKIE = "resetdesk_reset"
FORM_PATH = "/reset/set-password"  # a fixed path wins over /reset/<token> in werkzeug's routing
_STRENGTH_LABELS = (  # zxcvbn's 0-4, as the meter says them
    N_("Good: very weak"),
    N_("Good: weak"),
    N_("Good: fair"),
    N_("Good: strong"),
    N_("Good: very strong"),
)
NOT_ACCEPTED = N_("Not accepted")


@dataclass(frozen=True, slots=True)
class ResetPageOptions:
    """What the page tells and links to (from settings, picked in app.py)."""

    min_length: int
    history: int  # "not one of your last N"; 0 = no history rule
    portal_url: str | None  # the portal's sign-in page, linked after success; None = text only
    checks_per_minute: int  # live meter checks per reset session


def meter(verdict: PolicyResult) -> dict[str, object]:
    """The live meter's JSON: the server's whole verdict. A refused password is never shown as strong: its
    strength is at most 1 ("weak") and its label says it is not accepted, whatever zxcvbn scored."""
    strength = verdict.score if verdict.ok else min(verdict.score, 1)
    label = gettext(_STRENGTH_LABELS[strength] if verdict.ok else NOT_ACCEPTED)  # in the page's language
    return {"acceptable": verdict.ok, "problems": list(verdict.problems), "strength": strength, "label": label}


def reset_blueprint(
    engine: Engine,
    service: RecoveryService,
    limiter: RateLimiter,
    sessions: ResetSessions,
    *,
    requests_per_minute: int,
    options: ResetPageOptions,
    https: bool,
    on_done: Callable[[BaseResponse, ResetOutcome], None] | None = None,  # the hand-over to /enroll
) -> Blueprint:
    pages = Blueprint("reset", __name__)

    @pages.before_request
    def limit_guessing() -> tuple[str, int, dict[str, str]] | None:
        # Guessing tokens is hopeless (256 bits), but a flood of guesses is still refused early.
        wait = limiter.hit(f"reset:{request.remote_addr}", limit=requests_per_minute, window_seconds=60)
        if wait is None:
            request.max_content_length = MAX_FORM_BYTES
            return None
        return render_template("reset_invalid.html", reason="busy"), 429, {"Retry-After": str(wait)}

    @pages.before_request
    def speak_as_the_chat_did() -> None:
        # The page follows the language of the recovery the link belongs to (a widget on a Spanish intranet
        # page, or a person who switched to German, may be in a browser that asks for English).
        token = (request.view_args or {}).get("token") or session_token()
        if token:
            follow_language(service.link_language(token))

    @pages.after_request
    def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    def form(
        problems: tuple[str, ...] = (),
        status: int = 200,
        *,
        typed: str = "",
        mismatch: bool = False,
        failed: bool = False,
    ) -> tuple[str, int]:
        """The form; after an error, with the typed password back in the first field (the response is no-store,
        like every response here, and the value is never logged nor put in a URL)."""
        page = render_template(
            "reset.html",
            problems=problems,
            typed=typed,
            mismatch=mismatch,
            failed=failed,
            csrf=csrf_token(),
            minimum=options.min_length,
            history=options.history,
        )
        return page, status

    def invalid() -> Response:
        response = make_response(render_template("reset_invalid.html", reason="invalid"), 410)
        response.delete_cookie(COOKIE, path="/reset", secure=https, httponly=True, samesite="Lax")
        return response

    def session_token() -> str | None:
        return sessions.token(request.cookies.get(COOKIE))

    @pages.get("/reset/<token>")
    def open_link(token: str) -> BaseResponse:
        if not service.link_is_valid(token):
            return invalid()
        response: BaseResponse = redirect(FORM_PATH, 303)
        response.set_cookie(
            COOKIE,
            sessions.open(token),
            max_age=service.terms.link_ttl_seconds,
            path="/reset",
            secure=https,
            httponly=True,
            samesite="Lax",
        )
        return response

    @pages.get(FORM_PATH)
    def show() -> Response | tuple[str, int]:
        token = session_token()
        if token is None or not service.link_is_valid(token):
            return invalid()
        return form()

    @pages.post(FORM_PATH)
    def submit() -> Response | tuple[str, int]:
        require_csrf()
        token = session_token()
        if token is None:
            return invalid()
        typed = request.form.get("password", "")
        outcome = service.complete_reset(token, typed, request.form.get("confirmation", ""))
        if outcome.status is ResetStatus.DONE:
            engine.reset_completed(outcome)
            sessions.close(request.cookies.get(COOKIE))
            done = render_template(
                "reset_done.html", notes=outcome.problems, portal_url=options.portal_url, enroll=on_done is not None
            )
            response = make_response(done, 200)
            response.delete_cookie(COOKIE, path="/reset", secure=https, httponly=True, samesite="Lax")
            if on_done is not None:
                on_done(response, outcome)
            return response
        if outcome.status is ResetStatus.INVALID_LINK:
            return invalid()
        status = _STATUS[outcome.status]
        if outcome.status is ResetStatus.MISMATCH:
            # Said next to the second field; what is wrong with the first one, if anything, is listed as usual.
            verdict = service.check_password(token, typed)
            return form(verdict.problems if verdict else (), status, typed=typed, mismatch=True)
        if outcome.status is ResetStatus.FAILED:
            problems = outcome.problems or (gettext("We couldn't save your new password just now. Please try again."),)
            return form(problems, status, typed=typed, failed=True)
        return form(outcome.problems, status, typed=typed)

    @pages.post(FORM_PATH + "/check")
    def check() -> Response:
        require_csrf()
        body = request.get_json(silent=True)
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(password, str):
            abort(400, description='Send a JSON object like {"password": "..."}.')
        handle = request.cookies.get(COOKIE)
        token = sessions.token(handle)
        if handle is None or token is None:
            abort(410, description=N_("This link has expired or was already used."))
        # Per reset session too (the address limit is an office-sized backstop): a check may cost a slow hash
        # per kept password, and the meter asks at most once per pause in typing.
        key = "reset-check:" + hashlib.sha256(handle.encode()).hexdigest()[:32]
        wait = limiter.hit(key, limit=options.checks_per_minute, window_seconds=60)
        if wait is not None:
            return make_response(jsonify(error="Too many checks; wait a moment."), 429, {"Retry-After": str(wait)})
        verdict = service.check_password(token, password)
        if verdict is None:
            abort(410, description=N_("This link has expired or was already used."))
        return jsonify(meter(verdict))

    return pages
