"""Signing in to /enroll with the identifier and current password, signing out, and the hand-over from the
reset page (a one-time grant in a cookie of the same browser, see enroll_handover).

The core decides everything about a sign-in (limits, lock, unknown identifiers answered like a wrong
password); the page shows one message for every refusal and never echoes what was typed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import IDLE, EnrollGuard
from channels.web.enroll_handover import EnrollHandoverCookie
from channels.web.security import csrf_token, require_csrf
from core.clock import Clock
from core.directory.port import DirectoryUnavailable
from core.enrollment.service import EnrollmentService
from core.enrollment.types import SignInStatus
from core.i18n import N_, gettext, ngettext
from core.types import Requester

__all__ = ["REFUSED", "register_sign_in"]

log = logging.getLogger("resetdesk.enroll")

REFUSED = N_("That sign-in didn't work. Check your employee ID or username and your current password.")
DOWN = N_("We can't check passwords just now. Please try again in a few minutes, or contact support.")
PAGE = "enroll_sign_in.html"


def register_sign_in(
    pages: Blueprint, guard: EnrollGuard, service: EnrollmentService, handover: EnrollHandoverCookie, clock: Clock
) -> None:
    def page(*, error: str | None = None, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        ended = guard.ended_idle()
        minutes = int(IDLE.total_seconds() // 60)
        html = render_template(PAGE, error=error, ended=ended, idle_minutes=minutes, csrf=csrf_token())
        return Response(html, status=status, headers=headers or {})

    @pages.before_request
    def take_hand_over() -> BaseResponse | None:
        """A GET of /enroll… with a grant from the reset page signs that person in, once."""
        if request.method != "GET" or not handover.present():
            return None
        account = handover.redeem()
        if account is not None:
            guard.start(account)
        return handover.forget(redirect(url_for("enroll.methods"), 303))

    @pages.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> Response | BaseResponse:
        if request.method == "GET":
            if guard.current() is not None:
                return redirect(url_for("enroll.methods"), 303)
            return page()
        require_csrf()
        # Who asks, for the core's per-requester limits: the client address (proxies: RESETDESK_TRUSTED_PROXIES).
        requester = Requester("enroll-page", request.remote_addr or "unknown")
        try:
            result = service.sign_in(request.form.get("identifier", ""), request.form.get("password", ""), requester)
        except DirectoryUnavailable:
            log.error("enroll sign-in: the directory is unavailable")
            return page(error=gettext(DOWN), status=503, headers={"Retry-After": "60"})
        if result.status is SignInStatus.OK and result.account_id is not None:
            guard.start(result.account_id)
            return redirect(url_for("enroll.methods"), 303)
        if result.status is SignInStatus.PAUSED:
            wait = max(1, result.retry_after)
            return page(error=paused(clock, wait), status=429, headers={"Retry-After": str(wait)})
        return page(error=gettext(REFUSED), status=401)

    @pages.post("/sign-out")
    @guard.signed_in
    def sign_out(account_id: int) -> BaseResponse:
        guard.end()
        return redirect(url_for("enroll.sign_in"), 303)


def paused(clock: Clock, wait_seconds: int) -> str:
    """When sign-in opens again, as a time (UTC) and a duration: "until 14:05 UTC (in 12 minutes)"."""
    until = clock.now() + timedelta(seconds=wait_seconds)
    minutes = max(1, (wait_seconds + 59) // 60)
    message = ngettext(
        "Too many sign-in attempts. Signing in is paused until %(time)s UTC (in %(num)d minute). "
        "Or ask support for help.",
        "Too many sign-in attempts. Signing in is paused until %(time)s UTC (in %(num)d minutes). "
        "Or ask support for help.",
        minutes,
    )
    return message % {"time": f"{until:%H:%M}", "num": minutes}
