"""The chat JSON API: the contract in docs/architecture.md and every error status."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core, wiring
from core.storage.models import RateLimitWindow
from tests.channels.conftest import ChatClient, reset_link_via_email


def test_a_session_starts_with_a_greeting_and_choices(app: Flask) -> None:
    chat = ChatClient(app.test_client())
    assert len(chat.token) >= 43  # token_urlsafe(32): 256 random bits
    greeting = chat.messages[0]
    assert "ResetDesk" in greeting["text"]
    assert {"label": "Reset my password", "value": "reset"} in greeting["choices"]
    assert set(greeting) == {"text", "choices", "expects", "link"}


def test_a_conversation_runs_through_the_api_to_a_reset_link(app: Flask, core: Core) -> None:
    url = reset_link_via_email(core, ChatClient(app.test_client()))
    assert url.startswith(core.settings.public_url + "/reset/")


def test_the_code_prompt_asks_for_a_code(app: Flask) -> None:
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E404")
    assert chat.say("email")[-1]["expects"] == "code"


def test_history_replays_the_conversation_without_secrets(app: Flask, core: Core) -> None:
    chat = ChatClient(app.test_client())
    url = reset_link_via_email(core, chat)
    history = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer()).get_json()
    said = [m["text"] for m in history["messages"] if m["from"] == "person"]
    assert said[:2] == ["I forgot my password", "E1001"] and said[-1] == "[redacted]"
    assert url not in repr(history) and all(m["link"] is None for m in history["messages"])
    assert history["last_seq"] == chat.last_seq


def test_malformed_json_is_a_400_json_error(client: FlaskClient) -> None:
    ChatClient(client)
    path = "/api/chat/messages"
    for body, kwargs in (("{not json", {"content_type": "application/json"}), ('{"text": 5}', {})):
        response = client.post(path, data=body, **kwargs)
        assert response.status_code == 400 and response.is_json and response.get_json()["message"]
    assert client.post(path, json=["text"]).status_code == 400
    assert client.post(path, json={"text": "   "}).status_code == 400
    assert client.get(f"{path}?after=-1").status_code == 400


def test_no_session_is_401(client: FlaskClient) -> None:
    for response in (client.post("/api/chat/messages", json={"text": "hi"}), client.get("/api/chat/messages")):
        assert response.status_code == 401 and response.is_json


def rate_limit_keys(core: Core) -> set[str]:
    with core.database.engine.connect() as connection:
        return set(connection.execute(select(RateLimitWindow.key)).scalars())


def test_made_up_tokens_count_against_the_address_only(client: FlaskClient, core: Core) -> None:
    for number in range(5):
        made_up = {"Authorization": f"Bearer made-up-{number}"}
        assert client.post("/api/chat/messages", json={"text": "hi"}, headers=made_up).status_code == 401
        assert client.get("/api/chat/messages", headers=made_up).status_code == 401
    client.options("/api/chat/sessions")  # asking which methods are allowed opens no session
    assert rate_limit_keys(core) == {"addr:127.0.0.1"}
    chat = ChatClient(client)
    client.post("/api/chat/messages", json={"text": "hi"})
    client.get("/api/chat/messages")
    keyed = {f"session:{chat.key}", f"poll:{chat.key}"}
    assert rate_limit_keys(core) == {"addr:127.0.0.1", "new:127.0.0.1", *keyed}
    assert not any(chat.token in key for key in rate_limit_keys(core))


def test_too_long_message_and_too_big_body_are_413(client: FlaskClient) -> None:
    ChatClient(client)
    path = "/api/chat/messages"
    assert client.post(path, json={"text": "a" * 2000}).status_code == 200
    assert client.post(path, json={"text": "a" * 2001}).status_code == 413
    big = client.post(path, data='{"text": "' + "a" * 9000 + '"}', content_type="application/json")
    assert big.status_code == 413 and big.is_json


def test_flooding_one_session_gets_429_with_retry_after(client: FlaskClient) -> None:
    ChatClient(client)
    statuses = [client.post("/api/chat/messages", json={"text": "hi"}).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    limited = client.post("/api/chat/messages", json={"text": "hi"})
    assert limited.status_code == 429 and limited.is_json
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_polling_one_session_is_limited_too(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(chat_polls_per_minute=5)
    client = app.test_client()
    ChatClient(client)
    statuses = [client.get("/api/chat/messages?after=0").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert ChatClient(app.test_client()).poll() == []  # another session has its own limit


def test_one_address_cannot_open_sessions_without_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(chat_sessions_per_minute=20)
    client = app.test_client()
    statuses = [client.post("/api/chat/sessions", json={}).status_code for _ in range(21)]
    assert statuses[:20] == [201] * 20 and statuses[20] == 429


def test_unknown_route_and_wrong_method_are_json(client: FlaskClient) -> None:
    assert client.get("/api/nothing").status_code == 404 and client.get("/api/nothing").is_json
    assert client.get("/api/chat/sessions").status_code == 405


def test_chat_page_and_widget_are_served(client: FlaskClient) -> None:
    page = client.get("/chat")
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    embedded = client.get("/chat?embed=1")
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and widget.mimetype == "text/javascript"
    assert client.get("/").status_code == 200


def test_a_message_pushed_between_polls_is_not_skipped_by_the_next_post(app: Flask) -> None:
    from bot.messages import Reply

    client = app.test_client()
    chat = ChatClient(client)
    engine = wiring(app).engine
    assert engine.push.deliver("web", chat.key, [Reply("pushed while you were typing")])
    body = client.post("/api/chat/messages", json={"text": "reset", "after": chat.last_seq}).get_json()
    texts = [m["text"] for m in body["messages"]]
    assert texts[0] == "pushed while you were typing" and "employee ID" in texts[-1]
    assert client.get(f"/api/chat/messages?after={body['last_seq']}").get_json()["messages"] == []


def test_limits_are_settings_and_trusted_proxies_give_each_client_its_own(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(chat_sessions_per_minute=2, trusted_proxies=1)
    client = app.test_client()

    def new_session(forwarded_for: str) -> int:
        return client.post("/api/chat/sessions", json={}, headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [new_session("203.0.113.7") for _ in range(3)] == [201, 201, 429]
    assert new_session("203.0.113.8") == 201  # another client behind the same proxy has its own limit


def test_without_trusted_proxies_a_forwarded_header_cannot_dodge_the_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(chat_sessions_per_minute=2)
    client = app.test_client()
    codes = [
        client.post("/api/chat/sessions", json={}, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_api(make_app) -> None:  # type: ignore[no-untyped-def]
    for public_url, secure in (("http://127.0.0.1:5000", False), ("https://help.example.com", True)):
        app, _ = make_app(public_url=public_url)
        response = app.test_client().post("/api/chat/sessions", json={})
        cookie = response.headers["Set-Cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert cookie.startswith(f"resetdesk_chat={response.get_json()['session_token']};")
        assert {"httponly", "path", "samesite"} <= attributes and "Path=/api/chat" in cookie
        assert "SameSite=Strict" in cookie and ("secure" in attributes) is secure


def test_a_bearer_token_finds_the_conversation_without_the_cookie(app: Flask) -> None:
    chat = ChatClient(app.test_client())
    other = app.test_client()  # no cookie
    assert other.post("/api/chat/messages", json={"text": "reset"}).status_code == 401
    said = other.post("/api/chat/messages", json={"text": "reset"}, headers=chat.bearer())
    assert said.status_code == 200 and "employee ID" in said.get_json()["messages"][-1]["text"]
