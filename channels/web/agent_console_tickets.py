"""The console's ticket views: the live queue, a ticket's chat, and the agent actions on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for

from bot.relay import SupportRelay
from channels.web.agent_console_guard import ConsoleGuard
from channels.web.security import csrf_token
from core.i18n import gettext as _
from core.support.desk import AgentInfo, SupportDesk, TicketError, TicketView
from core.types import Method, SendStatus

__all__ = ["register_ticket_views", "reset_words"]


def register_ticket_views(console: Blueprint, guard: ConsoleGuard, desk: SupportDesk, relay: SupportRelay) -> None:
    signed_in = guard.signed_in

    @console.get("")
    @signed_in
    def queue(agent: AgentInfo) -> str:
        return render_template("agent_queue.html", agent=agent, tickets=desk.queue(), csrf=csrf_token())

    @console.get("/api/queue")
    @signed_in
    def queue_json(agent: AgentInfo) -> Response:
        return jsonify(tickets=[{**t, "reason_text": _(t["reason_text"])} for t in desk.queue()])

    @console.get("/tickets/<reference>")
    @signed_in
    def ticket(agent: AgentInfo, reference: str) -> str:
        view = _view_or_404(desk, reference)
        return render_template(
            "agent_ticket.html", agent=agent, ticket=view, reset=reset_words(view), csrf=csrf_token()
        )

    @console.get("/api/tickets/<reference>/messages")
    @signed_in
    def ticket_messages(agent: AgentInfo, reference: str) -> Response:
        after = request.args.get("after", "0")
        view = _view_or_404(desk, reference, after=int(after) if after.isdigit() and len(after) <= 18 else 0)
        return jsonify(messages=view.messages, status=view.status, agent=view.agent_name, reset=reset_words(view))

    @console.post("/api/tickets/<reference>/messages")
    @signed_in
    def send_message(agent: AgentInfo, reference: str) -> Response:
        body = request.get_json(silent=True)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            abort(400, description=_("Type a message first."))
        text = text.replace("\x00", "")
        try:
            delivered = relay.say(reference, agent, text)
        except TicketError as exc:
            abort(409, description=_(str(exc)))
        return jsonify(delivered=delivered)

    @console.post("/tickets/<reference>/take")
    @signed_in
    def take(agent: AgentInfo, reference: str) -> Any:
        if not desk.take(reference, agent):
            flash(_("Another agent took this ticket first."))
        return redirect(url_for("agent.ticket", reference=reference))

    @console.post("/tickets/<reference>/close")
    @signed_in
    def close(agent: AgentInfo, reference: str) -> Any:
        outcome = request.form.get("outcome", "")
        return _act(reference, lambda: relay.close(reference, agent, outcome), _("Ticket closed."), to_queue=True)

    @console.post("/tickets/<reference>/send-code")
    @signed_in
    def send_code(agent: AgentInfo, reference: str) -> Any:
        method = {"email": Method.EMAIL, "sms": Method.SMS}.get(request.form.get("method", ""))
        if method is None:
            abort(400, description=_("Choose email or SMS."))

        def act() -> None:
            if relay.send_code(reference, agent, method, request.form.get("reason", "")) is not SendStatus.SENT:
                raise TicketError(_("The code could not be sent by that method; try the other one."))

        return _act(reference, act, _("Code sent. The person types it in their chat."))

    @console.post("/tickets/<reference>/send-link")
    @signed_in
    def send_link(agent: AgentInfo, reference: str) -> Any:
        return _act(reference, lambda: relay.send_link(reference, agent, request.form.get("reason", "")),
                    _("Reset link sent to the person's chat."))  # fmt: skip


def _act(reference: str, action: Callable[[], object], done: str, *, to_queue: bool = False) -> Response:
    try:
        action()
        flash(done)
    except (TicketError, ValueError) as exc:
        flash(_(str(exc)))  # core's ticket errors are catalog msgids where translated
        to_queue = False
    target = url_for("agent.queue") if to_queue else url_for("agent.ticket", reference=reference)
    return redirect(target)  # type: ignore[return-value]


def _view_or_404(desk: SupportDesk, reference: str, *, after: int = 0) -> Any:
    try:
        return desk.view(reference, after=after)
    except TicketError:
        abort(404, description=_("No such ticket."))


def reset_words(view: TicketView) -> str:
    """The ticket's reset state in the agent's language (TicketView.reset_state is the English form)."""
    if view.reset_completed_at is None:
        return _("Not done yet")
    return _("Completed %(when)s UTC") % {"when": view.reset_completed_at.strftime("%Y-%m-%d %H:%M")}
