"""Adding or changing a mobile number or email on /enroll: type the new contact, then the code sent to it.

A contact counts only once its code is typed (the core keeps it pending until then, and a pending contact
never receives a recovery code). Neither the code nor a wrong guess is ever put back into a page.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import EnrollGuard
from channels.web.enroll_methods import KINDS, pending_contacts
from channels.web.security import csrf_token
from core.enrollment.service import EnrollmentService
from core.enrollment.types import ConfirmStatus, ContactKind, StartStatus
from core.i18n import N_, gettext, ngettext
from core.types import Requester

__all__ = ["register_contacts"]

_MAX_VALUE = 254  # the longest email address; longer input is refused before the core sees it
# Whole sentences per URL kind, so each language words them its own way.
_TYPE = {"mobile": N_("Type your mobile number."), "email": N_("Type your email address.")}
_UNUSABLE = {
    "mobile": N_("That is not a mobile number we can use."),
    "email": N_("That is not an email address we can use."),
}
_CONFIRMED = {
    "mobile": N_("Your mobile number %(contact)s is confirmed."),
    "email": N_("Your email address %(contact)s is confirmed."),
}


def register_contacts(pages: Blueprint, guard: EnrollGuard, service: EnrollmentService) -> None:
    def kind_of(path: str) -> ContactKind:
        kind = KINDS.get(path)
        if kind is None:
            abort(404)
        return kind

    def remember(path: str, value: str | None) -> None:
        pending = pending_contacts()
        if value is None:
            pending.pop(path, None)
        else:
            pending[path] = value
        session["enroll_pending"] = pending

    def entry_form(path: str, problem: str | None = None, status: int = 200, value: str = "") -> Response:
        html = render_template(
            "enroll_contact.html", path=path, problem=problem, value=value,
            csrf=csrf_token(),
        )  # fmt: skip
        return Response(html, status=status)

    def code_form(path: str, sent_to: str, problem: str | None = None, status: int = 200) -> Response:
        html = render_template(
            "enroll_code.html", path=path, sent_to=sent_to, problem=problem,
            csrf=csrf_token(),
        )  # fmt: skip
        return Response(html, status=status)

    @pages.get("/contact/<path>")
    @guard.signed_in
    def contact(account_id: int, path: str) -> Response:
        kind_of(path)
        return entry_form(path)

    @pages.post("/contact/<path>")
    @guard.signed_in
    def start(account_id: int, path: str) -> Response | BaseResponse:
        kind = kind_of(path)
        value = request.form.get("value", "").strip()
        if not value or len(value) > _MAX_VALUE:
            return entry_form(path, gettext(_TYPE[path]), 422)
        requester = Requester("enroll-page", request.remote_addr or "unknown")
        result = service.start_contact(account_id, kind, value, requester)
        if result.status is StartStatus.OK:
            remember(path, value)
            return redirect(url_for("enroll.code", path=path), 303)
        if result.status is StartStatus.TOO_SOON:
            minutes = max(1, (result.retry_after + 59) // 60)
            problem = ngettext(
                "A code was sent a moment ago. You can ask for another in %(num)d minute.",
                "A code was sent a moment ago. You can ask for another in %(num)d minutes.",
                minutes,
            ) % {"num": minutes}
            return entry_form(path, problem, 429, value)
        if result.status is StartStatus.UNAVAILABLE:
            problem = gettext("We can't send codes that way just now. Please try again later.")
            return entry_form(path, problem, 503, value)
        return entry_form(path, result.problem or gettext(_UNUSABLE[path]), 422, value)

    @pages.route("/contact/<path>/code", methods=["GET", "POST"])
    @guard.signed_in
    def code(account_id: int, path: str) -> Response | BaseResponse:
        kind = kind_of(path)
        sent_to = pending_contacts().get(path)
        if sent_to is None:
            return redirect(url_for("enroll.contact", path=path), 303)
        if request.method == "GET":
            return code_form(path, sent_to)
        typed = request.form.get("code", "").strip()[:32]
        result = service.confirm_contact(account_id, kind, typed)
        if result.status is ConfirmStatus.OK:
            remember(path, None)
            flash(gettext(_CONFIRMED[path]) % {"contact": sent_to})
            return redirect(url_for("enroll.methods"), 303)
        if result.status is ConfirmStatus.WRONG:
            left = result.tries_left
            problem = (
                gettext("That code is not right.")
                if left is None
                else ngettext(
                    "That code is not right. %(num)d try left.", "That code is not right. %(num)d tries left.", left
                )
                % {"num": left}
            )
            return code_form(path, sent_to, problem, 422)
        problem = gettext("That code has expired or too many wrong codes were typed. Send a new code to try again.")
        return code_form(path, sent_to, problem, 410)
