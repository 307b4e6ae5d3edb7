"""The enrollment page's session: who is signed in, kept in the signed Flask session cookie with last-seen.

The cookie (HttpOnly, SameSite=Strict, signed with the app's secret key) holds only the account id and two
times; the account's methods are read from the database on every request. A session ends after `IDLE`
without a request, `LIFETIME` after sign-in whatever the activity, or at sign-out. Times come from the core
clock, so tests move them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import redirect, request, session, url_for

from channels.web.security import require_csrf
from core.clock import Clock

__all__ = ["IDLE", "LANGUAGE_KEY", "LIFETIME", "EnrollGuard"]

IDLE = timedelta(minutes=10)  # issue 16: "a session that ends after 10 minutes idle"
LIFETIME = timedelta(hours=1)  # even an active session signs in again: a left-open laptop is not forever
_KEY = "enroll"
LANGUAGE_KEY = "enroll_lang"  # the language the person reset in (enroll_handover.py); kept across sign-in
F = TypeVar("F", bound=Callable[..., Any])


class EnrollGuard:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def current(self) -> int | None:
        """The signed-in account, counting this request as activity; None (and the session forgotten) once
        it is idle, too old, or not ours."""
        state = session.get(_KEY)
        if not isinstance(state, dict):
            return None
        account, since, seen = state.get("account"), state.get("since"), state.get("seen")
        if not isinstance(account, int) or not isinstance(since, float) or not isinstance(seen, float):
            session.pop(_KEY, None)
            return None
        now = self._now()
        if now - seen > IDLE.total_seconds() or now - since > LIFETIME.total_seconds():
            session.clear()
            session["enroll_ended"] = True  # the sign-in page says why
            return None
        session[_KEY] = {"account": account, "since": since, "seen": now}
        return account

    def signed_in(self, view: F) -> F:
        """Run `view(account_id, …)` only for a live session; POSTs also need the CSRF token."""

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            account = self.current()
            if account is None:
                return redirect(url_for("enroll.sign_in"), 303)
            if request.method == "POST":
                require_csrf()
            return view(account, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    def start(self, account_id: int) -> None:
        """A fresh Flask session (and CSRF token) for the person just signed in: nothing from before carries
        over, so a session id planted before sign-in is worthless. Only the language the pages speak stays (a
        word like "es" grants nothing)."""
        language = session.get(LANGUAGE_KEY)
        session.clear()
        if isinstance(language, str):
            session[LANGUAGE_KEY] = language
        now = self._now()
        session[_KEY] = {"account": account_id, "since": now, "seen": now}

    def end(self) -> None:
        session.clear()

    def ended_idle(self) -> bool:
        """Whether the last session just ended by itself (shown once on the sign-in page)."""
        return bool(session.pop("enroll_ended", False))
