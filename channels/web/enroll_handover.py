"""The browser side of the hand-over from the reset page to /enroll (core.enrollment.handover).

The reset page's success response sets a cookie holding the one-time pass: HttpOnly, SameSite=Strict, only
sent to /enroll, living as long as the pass. Only that browser has it; the first GET of /enroll… redeems it
(the server deletes the pass) and the cookie is removed.
"""

from __future__ import annotations

from flask import request, session
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import LANGUAGE_KEY
from channels.web.i18n import page_language
from core.enrollment.handover import EnrollHandover
from core.types import ResetOutcome, ResetStatus

__all__ = ["COOKIE", "EnrollHandoverCookie"]

COOKIE = "resetdesk_enroll_pass"
_PATH = "/enroll"


class EnrollHandoverCookie:
    def __init__(self, handover: EnrollHandover, *, https: bool) -> None:
        self._handover = handover
        self._https = https

    def after_reset(self, response: BaseResponse, outcome: ResetOutcome) -> None:
        """Called by the reset page on success: give this browser a pass for the person who just reset."""
        if outcome.status is not ResetStatus.DONE or outcome.handle is None:
            return
        granted = self._handover.grant(outcome.handle)
        if granted is not None:
            # The reset page speaks the recovery's language (the chat's); /enroll goes on in it (enroll.py).
            session[LANGUAGE_KEY] = page_language()
            response.set_cookie(
                COOKIE,
                granted,
                max_age=self._handover.ttl_seconds,
                path=_PATH,
                secure=self._https,
                httponly=True,
                samesite="Strict",
            )

    def present(self) -> bool:
        return COOKIE in request.cookies

    def redeem(self) -> int | None:
        return self._handover.redeem(request.cookies.get(COOKIE))

    def forget(self, response: BaseResponse) -> BaseResponse:
        response.delete_cookie(COOKIE, path=_PATH, secure=self._https, httponly=True, samesite="Strict")
        return response
