"""The session cookie that holds the CSRF token and an agent's sign-in: HttpOnly, SameSite=Strict, and Secure
when the public URL is https."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import CoreFactory


@pytest.mark.parametrize("public_url", ["https://reset.example.com", "http://127.0.0.1:5000"])
def test_the_session_cookie_holding_the_csrf_token_and_sign_in_is_httponly_strict_and_secure_over_https(
    make_core: CoreFactory, public_url: str
) -> None:
    app = create_app(core=make_core(public_url=public_url))
    cookie = app.test_client().get("/agent/login").headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].casefold(): part.strip() for part in cookie.split(";")}
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Strict"
    assert ("secure" in attributes) == public_url.startswith("https://")
