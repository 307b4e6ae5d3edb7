"""The enrollment page at /enroll, where people keep their own ways to be verified, put together from its
parts: the session guard (enroll_guard), sign-in and the hand-over from the reset page (enroll_signin,
enroll_handover), the methods overview (enroll_methods), contacts with their codes (enroll_contacts) and
security questions (enroll_questions).

Every page is no-store and gets the app's strict CSP (no inline script: the pages need no script at all);
every POST needs the CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, session

from channels.web.enroll_contacts import register_contacts
from channels.web.enroll_guard import LANGUAGE_KEY, EnrollGuard
from channels.web.enroll_handover import EnrollHandoverCookie
from channels.web.enroll_methods import register_methods
from channels.web.enroll_questions import register_questions
from channels.web.enroll_signin import register_sign_in
from channels.web.i18n import follow_language
from channels.web.security import refuse_nul
from core.clock import Clock
from core.enrollment.handover import EnrollHandover
from core.enrollment.service import EnrollmentService

__all__ = ["EnrollParts", "enroll_blueprint"]


@dataclass(frozen=True, slots=True)
class EnrollParts:
    """What the enrollment page needs from core (built in app.py)."""

    service: EnrollmentService
    handover: EnrollHandover
    clock: Clock


def enroll_blueprint(parts: EnrollParts, handover: EnrollHandoverCookie) -> Blueprint:
    pages = Blueprint("enroll", __name__, url_prefix="/enroll")
    pages.before_request(refuse_nul)

    @pages.before_request
    def speak_as_the_reset_did() -> None:
        follow_language(session.get(LANGUAGE_KEY))  # set by the reset page's hand-over; ?lang= still wins

    @pages.after_request
    def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    guard = EnrollGuard(parts.clock)
    register_sign_in(pages, guard, parts.service, handover, parts.clock)
    register_methods(pages, guard, parts.service)
    register_contacts(pages, guard, parts.service)
    register_questions(pages, guard, parts.service)
    return pages
