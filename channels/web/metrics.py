"""GET /metrics: the Prometheus scrape (core/metrics). With RESETDESK_METRICS_TOKEN set, a scraper sends
`Authorization: Bearer <token>`; unset, only a client on this machine may read it (the address after
ProxyFix, so a request relayed by a trusted reverse proxy counts as the remote client it came from)."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, request

from core.metrics import CONTENT_TYPE, scrape
from core.storage.db import Database

__all__ = ["metrics_blueprint"]


def metrics_blueprint(database: Database, token: str | None) -> Blueprint:
    metrics = Blueprint("metrics", __name__)
    expected = f"Bearer {token}".encode() if token else None

    @metrics.get("/metrics")
    def scrape_view() -> Response:
        if expected is not None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return Response("Unauthorized\n", 401, {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
        elif not _loopback(request.remote_addr):
            abort(404)  # with no token, the endpoint does not exist for anyone else
        response = Response(scrape(database), mimetype=None, content_type=CONTENT_TYPE)
        response.headers["Cache-Control"] = "no-store"
        return response

    return metrics


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
