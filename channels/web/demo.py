"""Demo pages, only with outbox delivery and the embedded directory: see what was "sent", and sign in."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from channels.web.security import csrf_token, refuse_nul, require_csrf
from core.directory.port import DirectoryBackend
from core.storage.db import Database
from core.storage.models import OutboxMessage

__all__ = ["demo_blueprint"]


def demo_blueprint(database: Database, directory: DirectoryBackend) -> Blueprint:
    demo = Blueprint("demo", __name__)
    demo.before_request(refuse_nul)

    @demo.get("/demo")
    def index() -> str:
        return render_template("demo_index.html")

    @demo.get("/demo/outbox")
    def outbox() -> str:
        with database.transaction() as session:
            messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
        return render_template("demo_outbox.html", messages=messages)

    @demo.route("/demo/login", methods=["GET", "POST"])
    def login() -> tuple[str, int]:
        result = None
        if request.method == "POST":
            require_csrf()
            result = _sign_in(directory, request.form.get("identifier", ""), request.form.get("password", ""))
        return render_template("demo_login.html", result=result, csrf=csrf_token()), 200 if result != "wrong" else 401

    @demo.get("/demo/widget")
    def widget_host() -> str:
        return render_template("demo_widget.html")

    return demo


def _sign_in(directory: DirectoryBackend, identifier: str, password: str) -> str:
    account = directory.find(identifier) if identifier.strip() else None
    if account is not None and account.locked:
        return "locked"
    if account is not None and directory.verify_password(account.id, password):
        return "signed_in"
    return "wrong"
