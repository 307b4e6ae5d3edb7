"""A local fake of Twilio's Messages API (the 2010-04-01 REST wire format) for tests: fixture `twilio_api`.

POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP Basic auth with the
account SID and auth token; answers 201 with a message resource, or Twilio's error JSON.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.fakes.http import serving

__all__ = ["FakeTwilioApi", "SentSms", "twilio_api"]

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")
ERROR_TEXT = {
    400: (21602, "Message body is required."),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


@dataclass(frozen=True)
class SentSms:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    user_agent: str


def _error(status: int, code: int | None = None, message: str | None = None) -> dict[str, Any]:
    default_code, default_message = ERROR_TEXT.get(status, (20500, "Internal Server Error"))
    code = code or default_code
    return {
        "code": code,
        "message": message or default_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class FakeTwilioApi:
    def __init__(self) -> None:
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = secrets.token_hex(16)
        self.url = ""
        self.messages: list[SentSms] = []
        self.delay_seconds = 0.0  # each response waits this long (for client timeout tests)
        self.requests = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def fail_next(self, n: int, status: int = 500) -> None:
        """The next `n` requests get `status` with Twilio's error JSON, before any other check."""
        with self._lock:
            self._failures.extend([status] * n)

    def handle(self, path: str, auth: str | None, form: dict[str, str], user_agent: str) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return failure, _error(failure)
        if self._stopping.wait(self.delay_seconds):
            return 503, _error(503)
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if not auth or not secrets.compare_digest(auth, expected):
            return 401, {**_error(401), "detail": "Your AccountSid or AuthToken was incorrect."}
        match = MESSAGES_PATH.match(path)
        if not match or match["sid"] != self.account_sid:
            return 404, _error(404)
        for field, code, text in (
            ("To", 21604, "A 'To' phone number is required."),
            ("From", 21603, "A 'From' phone number is required."),
            ("Body", 21602, "Message body is required."),
        ):
            if not form.get(field):
                return 400, _error(400, code, text)
        sms = SentSms(
            "SM" + secrets.token_hex(16), self.account_sid, form["To"], form["From"], form["Body"], user_agent
        )
        with self._lock:
            self.messages.append(sms)
        return 201, self._resource(sms)

    @staticmethod
    def _resource(sms: SentSms) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC).replace(microsecond=0))
        base = f"/2010-04-01/Accounts/{sms.account_sid}/Messages/{sms.sid}"
        return {
            "account_sid": sms.account_sid,
            "api_version": "2010-04-01",
            "body": sms.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sms.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sms.sid,
            "status": "queued",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": sms.to,
            "uri": f"{base}.json",
        }


def _handler_for(api: FakeTwilioApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            form = {key: values[0] for key, values in raw.items()}
            status, payload = api.handle(
                self.path, self.headers.get("Authorization"), form, self.headers.get("User-Agent", "")
            )
            self._reply(status, payload)

        def do_GET(self) -> None:
            self._reply(405, _error(405, 20004, "Method not allowed"))

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            with contextlib.suppress(ConnectionError):  # the client may have given up (timeout tests)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet (and message bodies out of it)

    return Handler


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi()
    with serving(_handler_for(api), name="fake-twilio", before_stop=api._stopping.set) as url:
        api.url = url
        yield api
