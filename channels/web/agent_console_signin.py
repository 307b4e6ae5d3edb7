"""The console's sign-in: password, then a TOTP code (or enrolment at first sign-in), and logout.

Attempts are limited per address and per agent account (both steps count), answered with 429 and
Retry-After. Between the password and the code, the signed Flask session holds only the agent's id and a
deadline; the server-side session starts after the last step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from channels.web.agent_console_guard import ConsoleGuard
from channels.web.security import csrf_token, require_csrf
from core.i18n import gettext as _
from core.secrets.ratelimit import Limit, RateLimiter
from core.support.access import AgentAccess
from core.support.desk import AgentInfo

__all__ = ["register_sign_in"]

PENDING = "agent_pending"
PENDING_FOR = timedelta(minutes=5)  # time to type the code after the password


def register_sign_in(console: Blueprint, guard: ConsoleGuard, access: AgentAccess, limiter: RateLimiter) -> None:
    def throttled(username: str) -> Response | None:
        """Count one attempt for this address and this account; a 429 page once either is over its limit."""
        wait = limiter.hit_all(
            [
                Limit(f"agent-login:{request.remote_addr}", access.sign_ins_per_address, 300),
                Limit(access.account_key(username), access.sign_ins_per_account, 900),
            ]
        )
        if wait is None:
            return None
        minutes = max(1, (wait + 59) // 60)
        error = f"Too many sign-in attempts; try again in {minutes} minute{'s' if minutes > 1 else ''}."
        page = render_template("agent_login.html", error=error, csrf=csrf_token())
        return Response(page, status=429, headers={"Retry-After": str(wait)})

    def signed_in(agent: AgentInfo) -> Response:
        session.clear()  # a fresh Flask session (and CSRF token) once fully signed in
        return guard.start(redirect(url_for("agent.queue")), agent)  # type: ignore[arg-type]

    def pending() -> dict[str, Any] | None:
        state = session.get(PENDING)
        if not isinstance(state, dict) or not isinstance(state.get("id"), int):
            return None
        if access.clock.now().timestamp() > float(state.get("until", 0)):
            session.pop(PENDING, None)
            return None
        return state

    @console.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "GET":
            return render_template("agent_login.html", error=None, csrf=csrf_token())
        require_csrf()
        username = request.form.get("username", "")
        refused = throttled(username)
        if refused is not None:
            return refused
        agent = access.desk.authenticate(username, request.form.get("password", ""))
        if agent is None:
            return render_template("agent_login.html", error=_("Wrong username or password."), csrf=csrf_token()), 401
        if access.second_factor(agent.id) == "none":
            return signed_in(agent)
        session.clear()
        until = (access.clock.now() + PENDING_FOR).timestamp()
        session[PENDING] = {"id": agent.id, "name": agent.username, "until": until}
        return redirect(url_for("agent.code"))

    @console.route("/login/code", methods=["GET", "POST"])
    def code() -> Any:
        state = pending()
        if state is None:
            return redirect(url_for("agent.login"))
        error = None
        if request.method == "POST":
            require_csrf()
            refused = throttled(state["name"])
            if refused is not None:
                return refused
            if access.two_factor.verify(state["id"], request.form.get("code", "")):
                agent = access.desk.agent(state["id"])
                if agent is not None:
                    return signed_in(agent)
            error = _("That code is not right or was already used; wait for the next one and try again.")
        factor = access.second_factor(state["id"])
        enrollment = access.two_factor.pending(state["id"]) if factor == "enroll" else None
        page = render_template("agent_code.html", error=error, enrollment=enrollment, csrf=csrf_token())
        return page, 401 if error else 200

    @console.post("/logout")
    @guard.signed_in
    def logout(agent: AgentInfo) -> Any:
        session.clear()
        return guard.end(redirect(url_for("agent.login")))  # type: ignore[arg-type]
