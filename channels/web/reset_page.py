"""The secure page where the new password is set. The server judges every password (the meter asks it)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request

from bot.engine import Engine
from channels.web.security import csrf_token, require_csrf
from core.recovery.service import RecoveryService
from core.secrets.ratelimit import RateLimiter
from core.types import ResetStatus

__all__ = ["reset_blueprint"]

# The form posts a password and its confirmation (the fields allow 4096 characters each, up to 4 bytes of
# UTF-8 and 3x that URL-encoded): above the app's 8 KiB body limit, so the policy can say what is wrong.
MAX_FORM_BYTES = 128 * 1024
_STATUS = {ResetStatus.MISMATCH: 422, ResetStatus.REJECTED: 422, ResetStatus.FAILED: 503}


def reset_blueprint(
    engine: Engine,
    service: RecoveryService,
    limiter: RateLimiter,
    *,
    requests_per_minute: int,
    password_min_length: int,
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

    @pages.after_request
    def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    def form(problems: tuple[str, ...] = (), status: int = 200) -> tuple[str, int]:
        page = render_template("reset.html", problems=problems, csrf=csrf_token(), minimum=password_min_length)
        return page, status

    @pages.get("/reset/<token>")
    def show(token: str) -> tuple[str, int]:
        if not service.link_is_valid(token):
            return render_template("reset_invalid.html", reason="invalid"), 410
        return form()

    @pages.post("/reset/<token>")
    def submit(token: str) -> tuple[str, int]:
        require_csrf()
        outcome = service.complete_reset(token, request.form.get("password", ""), request.form.get("confirmation", ""))
        if outcome.status is ResetStatus.DONE:
            engine.reset_completed(outcome)
            return render_template("reset_done.html", notes=outcome.problems), 200
        if outcome.status is ResetStatus.INVALID_LINK:
            return render_template("reset_invalid.html", reason="invalid"), 410
        problems = outcome.problems or ("We couldn't save your new password just now. Please try again.",)
        return form(problems, _STATUS[outcome.status])

    @pages.post("/reset/<token>/check")
    def check(token: str) -> Response:
        require_csrf()
        body = request.get_json(silent=True)
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(password, str):
            abort(400, description='Send a JSON object like {"password": "..."}.')
        verdict = service.check_password(token, password)
        if verdict is None:
            abort(410, description="This link has expired or was already used.")
        return jsonify(ok=verdict.ok, score=verdict.score, problems=list(verdict.problems))

    return pages
