# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Socket Mode: a background start with no HTTP endpoint; HTTP mode alone starts nothing in the background."""

from __future__ import annotations

from app import wiring
from channels.slack import SlackChannel, socket_mode_handler
from tests.support.slack_app import Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)

APP_TOKEN = "xapp-1-A0RESETDSK-1111-" + "ab" * 32


# -- Socket Mode --------------------------------------------------------------------------------------------------


def test_socket_mode_is_a_background_start_and_needs_no_http_endpoint(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack(slack_signing_secret=None, slack_app_token=APP_TOKEN)
    assert len(wiring(s.app).background()) == 1
    # Without a signing secret nothing could be verified, so there is no HTTP endpoint.
    assert s.ws.post("{}", content_type="application/json").status_code == 404
    bolt = wiring(s.app).channel(SlackChannel).bolt
    handler = socket_mode_handler(bolt, APP_TOKEN)
    try:
        assert handler.app is bolt and handler.client.app_token == APP_TOKEN
        assert handler.client.web_client.base_url == s.api.url
    finally:
        handler.client.close()
    assert s.api.calls == []


def test_http_mode_alone_starts_nothing_in_the_background(slack: Slack) -> None:
    assert wiring(slack.app).background() == []
