"""A small HTTP client for tests against a real server: keeps cookies like a browser, never raises on 4xx/5xx."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

__all__ = ["Answer", "WebClient"]


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Message
    url: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class WebClient:
    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._timeout = timeout

    def request(
        self, method: str, path: str, *, json_body: Any = None, form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:  # fmt: skip
        url = path if path.startswith("http") else self.base_url + path
        data, sent = None, dict(headers or {})
        if json_body is not None:
            data, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url}")
        request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310 (checked above)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Answer(response.status, response.read(), response.headers, response.url)
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read(), error.headers, error.url)

    def chat(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request(method, path, json_body=body, **kwargs)

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send one chat message (the session was opened first) and return the messages the reply holds."""
        answer = self.chat("POST", "/api/chat/messages", {"text": text, "after": 0})
        assert answer.status == 200, (answer.status, answer.text)
        return list(answer.json()["messages"])

    def set_password(self, link: str, password: str) -> Answer:
        """Open a reset link and submit the form on the page it lands on (following any redirect)."""
        page = self.request("GET", link)
        assert page.status == 200, (page.status, page.text[:300])
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match is not None, "no CSRF token on the reset page"
        fields = {"csrf_token": match.group(1), "password": password, "confirmation": password}
        return self.request("POST", page.url, form=fields)
