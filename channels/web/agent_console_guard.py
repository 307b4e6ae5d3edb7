"""The console's session guard: the cookie that names a server-side session, checked on every request.

The cookie holds only a random id; what it means (which agent, still live, not revoked) is decided by
`AgentSessions` each time, so logout, expiry or disabling the agent take effect on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, redirect, request, url_for

from channels.web.security import require_csrf
from core.i18n import gettext
from core.support.access import AgentAccess
from core.support.desk import AgentInfo

__all__ = ["COOKIE", "ConsoleGuard"]

COOKIE = "resetdesk_agent"
F = TypeVar("F", bound=Callable[..., Any])


class ConsoleGuard:
    def __init__(self, access: AgentAccess, *, https: bool) -> None:
        self._sessions = access.sessions
        self._https = https

    def current(self) -> AgentInfo | None:
        # Background polls (GET /agent/api/…) are not activity: an unattended console still times out.
        touch = request.method != "GET" or not request.path.startswith("/agent/api/")
        return self._sessions.check(request.cookies.get(COOKIE), touch=touch)

    def signed_in(self, view: F) -> F:
        """Run `view(agent, …)` only for a live session; POSTs also need the CSRF token."""

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            agent = self.current()
            if agent is None:
                if request.path.startswith("/agent/api/"):
                    abort(401, description=gettext("Sign in again."))
                return redirect(url_for("agent.login"))
            if request.method == "POST":
                require_csrf()
            return view(agent, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    def start(self, response: Response, agent: AgentInfo) -> Response:
        token = self._sessions.start(agent)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(self._sessions.lifetime.total_seconds()),
            path="/agent",
            secure=self._https,
            httponly=True,
            samesite="Strict",
        )
        return response

    def end(self, response: Response) -> Response:
        self._sessions.revoke(request.cookies.get(COOKIE))
        response.delete_cookie(COOKIE, path="/agent", secure=self._https, httponly=True, samesite="Strict")
        return response
