"""What every ResetDesk app answers besides its channels: liveness and readiness probes, and errors as JSON."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from core.i18n import gettext
from core.storage.db import Database

__all__ = ["register_health_and_errors"]

log = logging.getLogger("resetdesk")


def register_health_and_errors(app: Flask, database: Database) -> None:
    """/healthz (the process answers), /readyz (the database answers too), and JSON for every error: malformed
    HTTP gets a JSON error, never an HTML page or a stack trace."""

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Response | tuple[Response, int]:
        try:
            with database.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            log.exception("readiness check: database unreachable")
            return jsonify(status="unavailable", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        # A description a person may meet (an expired form, a used link) is a catalog msgid: in the page's
        # language. Others (the chat API's contract errors, for developers) are not in the catalog and stay as is.
        message = gettext(error.description) if error.description else error.description
        return jsonify(error=error.name, message=message), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response, int]:
        log.exception("unhandled error (%s)", type(error).__name__)
        return jsonify(error="Internal Server Error", message="Something went wrong on our side."), 500
