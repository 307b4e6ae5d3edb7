"""Choosing security questions on /enroll: as many as the core requires, each picked from the pool and
answered. The core judges the answers; a page with problems keeps the chosen questions but never the answers.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from channels.web.enroll_guard import EnrollGuard
from channels.web.security import csrf_token
from core.enrollment.service import EnrollmentService
from core.i18n import gettext

__all__ = ["register_questions"]

_MAX_ANSWER = 200


def register_questions(pages: Blueprint, guard: EnrollGuard, service: EnrollmentService) -> None:
    def form(chosen: list[str], problems: tuple[str, ...] = (), status: int = 200) -> Response:
        required = service.questions_required
        slots = [chosen[i] if i < len(chosen) else "" for i in range(required)]
        html = render_template(
            "enroll_questions.html", pool=service.question_pool(), slots=slots, problems=problems, csrf=csrf_token()
        )
        return Response(html, status=status)

    @pages.get("/questions")
    @guard.signed_in
    def questions(account_id: int) -> Response:
        return form([])

    @pages.post("/questions")
    @guard.signed_in
    def save_questions(account_id: int) -> Response | BaseResponse:
        required = service.questions_required
        chosen = [request.form.get(f"question_{n}", "") for n in range(1, required + 1)]
        answers = [request.form.get(f"answer_{n}", "")[:_MAX_ANSWER] for n in range(1, required + 1)]
        if any(not question for question in chosen):
            return form(chosen, (gettext("Choose a question for every row."),), 422)
        if len(set(chosen)) != len(chosen):
            return form(chosen, (gettext("Choose a different question for each row."),), 422)
        problems = service.set_questions(account_id, dict(zip(chosen, answers, strict=True)))
        if problems:
            return form(chosen, problems, 422)
        flash(gettext("Your security questions are saved."))
        return redirect(url_for("enroll.methods"), 303)
