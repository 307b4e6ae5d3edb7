"""The support agents' console at /agent: sign-in, the live queue, a ticket's chat and actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, session, url_for

from bot.relay import SupportRelay
from channels.web.security import csrf_token, refuse_nul, require_csrf
from core.secrets.ratelimit import RateLimiter
from core.support.desk import AgentInfo, SupportDesk, TicketError
from core.types import Method, SendStatus

__all__ = ["agent_blueprint"]

F = TypeVar("F", bound=Callable[..., Any])


def agent_blueprint(
    desk: SupportDesk, relay: SupportRelay, limiter: RateLimiter, *, sign_ins_per_5_minutes: int
) -> Blueprint:
    console = Blueprint("agent", __name__, url_prefix="/agent")
    console.before_request(refuse_nul)

    def current_agent() -> AgentInfo | None:
        agent_id = session.get("agent_id")
        return desk.agent(agent_id) if isinstance(agent_id, int) else None

    def signed_in(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            agent = current_agent()
            if agent is None:
                if request.path.startswith("/agent/api/"):
                    abort(401, description="Sign in again.")
                return redirect(url_for("agent.login"))
            if request.method == "POST":
                require_csrf()
            return view(agent, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    @console.after_request
    def never_cache(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    @console.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            require_csrf()
            attempts = sign_ins_per_5_minutes
            wait = limiter.hit(f"agent-login:{request.remote_addr}", limit=attempts, window_seconds=300)
            agent = (
                None if wait else desk.authenticate(request.form.get("username", ""), request.form.get("password", ""))
            )
            if agent is not None:
                session.clear()  # a fresh session (and CSRF token) after sign-in
                session["agent_id"] = agent.id
                return redirect(url_for("agent.queue"))
            error = "Too many attempts; wait a few minutes." if wait else "Wrong username or password."
        return render_template("agent_login.html", error=error, csrf=csrf_token()), 401 if error else 200

    @console.post("/logout")
    @signed_in
    def logout(agent: AgentInfo) -> Any:
        session.clear()
        return redirect(url_for("agent.login"))

    @console.get("")
    @signed_in
    def queue(agent: AgentInfo) -> str:
        return render_template("agent_queue.html", agent=agent, tickets=desk.queue(), csrf=csrf_token())

    @console.get("/api/queue")
    @signed_in
    def queue_json(agent: AgentInfo) -> Response:
        return jsonify(tickets=desk.queue())

    @console.get("/tickets/<reference>")
    @signed_in
    def ticket(agent: AgentInfo, reference: str) -> str:
        view = _view_or_404(desk, reference)
        return render_template("agent_ticket.html", agent=agent, ticket=view, csrf=csrf_token())

    @console.get("/api/tickets/<reference>/messages")
    @signed_in
    def ticket_messages(agent: AgentInfo, reference: str) -> Response:
        after = request.args.get("after", "0")
        view = _view_or_404(desk, reference, after=int(after) if after.isdigit() and len(after) <= 18 else 0)
        return jsonify(messages=view.messages, status=view.status, agent=view.agent_name)

    @console.post("/api/tickets/<reference>/messages")
    @signed_in
    def send_message(agent: AgentInfo, reference: str) -> Response:
        body = request.get_json(silent=True)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            abort(400, description="Type a message first.")
        text = text.replace("\x00", "")
        try:
            delivered = relay.say(reference, agent, text)
        except TicketError as exc:
            abort(409, description=str(exc))
        return jsonify(delivered=delivered)

    @console.post("/tickets/<reference>/take")
    @signed_in
    def take(agent: AgentInfo, reference: str) -> Any:
        if not desk.take(reference, agent):
            flash("Another agent took this ticket first.")
        return redirect(url_for("agent.ticket", reference=reference))

    @console.post("/tickets/<reference>/close")
    @signed_in
    def close(agent: AgentInfo, reference: str) -> Any:
        return _act(reference, lambda: relay.close(reference, agent, request.form.get("outcome", "")), "Ticket closed.",
                    to_queue=True)  # fmt: skip

    @console.post("/tickets/<reference>/send-code")
    @signed_in
    def send_code(agent: AgentInfo, reference: str) -> Any:
        method = {"email": Method.EMAIL, "sms": Method.SMS}.get(request.form.get("method", ""))
        if method is None:
            abort(400, description="Choose email or SMS.")

        def act() -> None:
            if relay.send_code(reference, agent, method, request.form.get("reason", "")) is not SendStatus.SENT:
                raise TicketError("The code could not be sent by that method; try the other one.")

        return _act(reference, act, "Code sent. The person types it in their chat.")

    @console.post("/tickets/<reference>/send-link")
    @signed_in
    def send_link(agent: AgentInfo, reference: str) -> Any:
        return _act(reference, lambda: relay.send_link(reference, agent, request.form.get("reason", "")),
                    "Reset link sent to the person's chat.")  # fmt: skip

    return console


def _act(reference: str, action: Callable[[], object], done: str, *, to_queue: bool = False) -> Response:
    try:
        action()
        flash(done)
    except (TicketError, ValueError) as exc:
        flash(str(exc))
        to_queue = False
    target = url_for("agent.queue") if to_queue else url_for("agent.ticket", reference=reference)
    return redirect(target)  # type: ignore[return-value]


def _view_or_404(desk: SupportDesk, reference: str, *, after: int = 0) -> Any:
    try:
        return desk.view(reference, after=after)
    except TicketError:
        abort(404, description="No such ticket.")
