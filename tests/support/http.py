"""One JSON request over loopback, from a chosen source address."""

from __future__ import annotations

import http.client
import json
from typing import Any

__all__ = ["json_request"]


def json_request(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    source: str | None = None,
    host: str = "127.0.0.1",
    timeout: float = 60.0,
) -> tuple[int, Any]:
    """One JSON request over a fresh connection, optionally from a given loopback address (so load from
    many "clients" is not one address to the rate limits). Returns (status, parsed body or None)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        connection.close()
