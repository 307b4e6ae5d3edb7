"""Adding or changing a mobile number or email on /enroll: type the new contact, then the code sent to it.

A contact counts only once its code is typed (the core keeps it pending until then, and a pending contact
never receives a recovery code). Neither the code nor a wrong guess is ever put back into a page.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import EnrollGuard
from channels.web.enroll_methods import KINDS, LABELS, pending_contacts
from channels.web.security import csrf_token
from core.enrollment.service import EnrollmentService
from core.enrollment.types import ConfirmStatus, ContactKind, StartStatus
from core.types import Requester

__all__ = ["register_contacts"]

_MAX_VALUE = 254  # the longest email address; longer input is refused before the core sees it


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
            "enroll_contact.html", path=path, label=LABELS[kind_of(path).value], problem=problem, value=value,
            csrf=csrf_token(),
        )  # fmt: skip
        return Response(html, status=status)

    def code_form(path: str, sent_to: str, problem: str | None = None, status: int = 200) -> Response:
        html = render_template(
            "enroll_code.html", path=path, label=LABELS[kind_of(path).value], sent_to=sent_to, problem=problem,
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
            return entry_form(path, f"Type your {LABELS[kind.value]}.", 422)
        requester = Requester("enroll-page", request.remote_addr or "unknown")
        result = service.start_contact(account_id, kind, value, requester)
        if result.status is StartStatus.OK:
            remember(path, value)
            return redirect(url_for("enroll.code", path=path), 303)
        if result.status is StartStatus.TOO_SOON:
            minutes = max(1, (result.retry_after + 59) // 60)
            problem = f"A code was sent a moment ago. You can ask for another in {minutes} minute(s)."
            return entry_form(path, problem, 429, value)
        if result.status is StartStatus.UNAVAILABLE:
            return entry_form(path, "We can't send codes that way just now. Please try again later.", 503, value)
        return entry_form(path, result.problem or f"That is not a {LABELS[kind.value]} we can use.", 422, value)

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
            flash(f"Your {LABELS[kind.value]} {sent_to} is confirmed.")
            return redirect(url_for("enroll.methods"), 303)
        if result.status is ConfirmStatus.WRONG:
            left = result.tries_left
            problem = "That code is not right." + (f" {left} tries left." if left is not None else "")
            return code_form(path, sent_to, problem, 422)
        problem = "That code has expired or too many wrong codes were typed. Send a new code to try again."
        return code_form(path, sent_to, problem, 410)
