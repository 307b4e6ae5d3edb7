"""/enroll itself: the person's methods (mobile, email, questions) with their state, removing one (never the
last), and "these are still mine" when they are due for reconfirmation."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import EnrollGuard
from channels.web.security import csrf_token
from core.enrollment.service import EnrollmentService
from core.enrollment.types import ContactKind, MethodKind
from core.i18n import N_, gettext

__all__ = ["KINDS", "pending_contacts", "register_methods", "when"]

# The URL names a contact kind in words people read; the core's kinds are "sms" and "email".
KINDS: dict[str, ContactKind] = {"mobile": ContactKind.SMS, "email": ContactKind.EMAIL}
_REMOVED: dict[str, str] = {  # whole sentences: each language words its own
    "sms": N_("Your mobile number was removed."),
    "email": N_("Your email address was removed."),
    "questions": N_("Your security questions were removed."),
}
_REMOVABLE: dict[str, MethodKind] = {"sms": "sms", "email": "email", "questions": "questions"}


def pending_contacts() -> dict[str, str]:
    """The new contacts waiting for their code, by URL kind ("mobile"/"email"), as typed on this page: the
    core keeps a pending contact apart from the methods, so this browser's session remembers what it asked."""
    pending = session.get("enroll_pending")
    return {k: v for k, v in pending.items() if k in KINDS and isinstance(v, str)} if isinstance(pending, dict) else {}


def when(moment: datetime | None) -> str:
    """A date in the page's language ("Dec 3, 2026", "3 dic 2026", "03.12.2026"); the stored times are UTC."""
    return format_date(moment, "medium") if moment is not None else ""


def register_methods(pages: Blueprint, guard: EnrollGuard, service: EnrollmentService) -> None:
    pages.add_app_template_filter(when, "enroll_when")

    def overview(account_id: int, problems: tuple[str, ...] = (), status: int = 200) -> Response:
        methods = service.methods(account_id)
        by_kind = {path: [c for c in methods.contacts if c.kind is kind] for path, kind in KINDS.items()}
        html = render_template(
            "enroll_methods.html",
            methods=methods,
            by_kind=by_kind,
            pending=pending_contacts(),
            required=service.questions_required,
            problems=problems,
            csrf=csrf_token(),
        )
        return Response(html, status=status)

    @pages.get("")
    @guard.signed_in
    def methods(account_id: int) -> Response:
        return overview(account_id)

    @pages.post("/remove")
    @guard.signed_in
    def remove(account_id: int) -> Response | BaseResponse:
        kind = _REMOVABLE.get(request.form.get("kind", ""))
        if kind is None:
            return overview(account_id, (gettext("Choose a way to verify you to remove."),), 400)
        problems = service.remove_method(account_id, kind)
        if problems:
            return overview(account_id, problems, 409)
        flash(gettext(_REMOVED[kind]))
        return redirect(url_for("enroll.methods"), 303)

    @pages.post("/reconfirm")
    @guard.signed_in
    def reconfirm(account_id: int) -> BaseResponse:
        service.reconfirm(account_id)
        flash(gettext("Thank you: your ways to verify you are confirmed as still yours."))
        return redirect(url_for("enroll.methods"), 303)
