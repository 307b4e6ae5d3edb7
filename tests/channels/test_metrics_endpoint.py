"""GET /metrics: Prometheus text for a scraper with the bearer token, or (no token set) for a client on this
machine only; a remote client, or one relayed by a trusted proxy, is refused. The chat API's latency
histogram counts every request it served, whatever the answer."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.channels.conftest import ChatClient

TOKEN = "a-long-random-scrape-token-for-tests"


def chat_requests(endpoint: str) -> float:
    return REGISTRY.get_sample_value("resetdesk_chat_request_seconds_count", {"endpoint": endpoint}) or 0.0


def test_open_to_a_loopback_client_when_no_token_is_set(client) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    families = {family.name for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert {"resetdesk_conversations_started", "resetdesk_delivery_queue_depth"} <= families
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_a_remote_client_is_refused_when_no_token_is_set(client) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 404 and b"resetdesk_" not in response.data


def test_a_client_relayed_by_a_trusted_proxy_on_this_machine_is_remote(make_app) -> None:
    app, _core = make_app(trusted_proxies=1)
    relayed = {"X-Forwarded-For": "203.0.113.9"}
    response = app.test_client().get("/metrics", headers=relayed, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 404


def test_the_token_is_required_when_set_from_anywhere(make_app) -> None:
    app, _core = make_app(metrics_token=TOKEN)
    client = app.test_client()
    local = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", environ_base=local).status_code == 401
    wrong = {"Authorization": f"Bearer {TOKEN}x"}
    assert client.get("/metrics", headers=wrong, environ_base=local).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}, environ_base=local).status_code == 401
    right = {"Authorization": f"Bearer {TOKEN}"}
    response = client.get("/metrics", headers=right, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200 and b"resetdesk_chat_request_seconds" in response.data


def test_chat_requests_are_timed_by_endpoint_whatever_the_answer(client) -> None:
    before = {endpoint: chat_requests(endpoint) for endpoint in ("session", "message", "poll", "retired")}
    chat = ChatClient(client)
    chat.say("hello")
    chat.poll()
    assert client.post("/api/chat/messages", json={"text": ""}).status_code == 400
    assert client.get("/api/chat/sessions/old-token").status_code == 410
    assert chat_requests("session") - before["session"] == 1
    assert chat_requests("message") - before["message"] == 2
    assert chat_requests("poll") - before["poll"] == 1
    assert chat_requests("retired") - before["retired"] == 1
