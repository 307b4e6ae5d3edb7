"""The support agents' console at /agent, put together from its parts: the session guard
(agent_console_guard), sign-in and two-factor (agent_console_signin), the tickets (agent_console_tickets), and
the admins' reports (agent_reports)."""

from __future__ import annotations

from flask import Blueprint, Response

from bot.relay import SupportRelay
from channels.web.agent_console_guard import ConsoleGuard
from channels.web.agent_console_signin import register_sign_in
from channels.web.agent_console_tickets import register_ticket_views
from channels.web.agent_reports import register_report_views
from channels.web.security import refuse_nul
from core.reports.figures import Reports
from core.secrets.ratelimit import RateLimiter
from core.support.access import AgentAccess

__all__ = ["agent_blueprint"]


def agent_blueprint(
    relay: SupportRelay, limiter: RateLimiter, access: AgentAccess, reports: Reports | None = None, *, https: bool
) -> Blueprint:
    console = Blueprint("agent", __name__, url_prefix="/agent")
    console.before_request(refuse_nul)

    @console.after_request
    def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    guard = ConsoleGuard(access, https=https)
    register_sign_in(console, guard, access, limiter)
    register_ticket_views(console, guard, access.desk, relay)
    if reports is not None:  # /agent/reports: admins only
        register_report_views(console, guard, reports)
    return console
