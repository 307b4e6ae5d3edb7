"""WSGI entry points for the HTTP benchmarks (gunicorn `bench.wsgi:resetdesk()`, `bench.wsgi:floor()`,
`bench.wsgi:database_floor()`).

The database URL comes from BENCH_DATABASE_URL; the schema is migrated by the benchmark before gunicorn starts.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify, request

from app import create_app
from bench.web_common import core_for

__all__ = ["database_floor", "floor", "resetdesk"]


def resetdesk() -> Flask:
    return create_app(core=core_for(os.environ["BENCH_DATABASE_URL"], migrate=False))


def floor() -> Flask:
    """A bare Flask JSON endpoint: parse the JSON body, answer JSON. No database."""
    app = Flask("floor")

    @app.post("/floor/<key>")
    def turn(key: str) -> Any:
        body = request.get_json(silent=True) or {}
        text = str(body.get("text", ""))[:2000]
        reply: dict[str, Any] = {
            "text": f"you said {len(text)} characters",
            "choices": [],
            "expects": "text",
            "link": None,
        }
        return jsonify(messages=[reply], last_seq=1)

    _add_health_check(app)
    return app


def database_floor() -> Flask:
    """(e)'s floor over HTTP: a bare Flask + SQLAlchemy endpoint that reads and writes one row per request."""
    from bench.web_turn import floor_app
    from core.storage.db import Database

    app = floor_app(Database(os.environ["BENCH_DATABASE_URL"]))
    _add_health_check(app)
    return app


def _add_health_check(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")
