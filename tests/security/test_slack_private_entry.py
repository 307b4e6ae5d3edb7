# ruff: noqa: F811  (fixtures are imported from tests/support, then used as arguments)
"""Codes entered in Slack stay out of the DM's history (issue 13, "codes stay in Slack DMs").

Slack can't delete a person's message, so a code typed in the DM stays there. The code prompt offers a modal
instead; these attacks check that what is typed there is never posted back (chat.postMessage, chat.update),
never put in the modal's private_metadata, never logged and never stored, and that a forged submission
verifies nobody.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.core.conftest import last_outbox_code
from tests.security.test_secrets_scan import stored_places
from tests.support.slack import link_url, sign, text_of
from tests.support.slack_app import USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

FORM = "application/x-www-form-urlencoded"


def code_prompt_with_modal(slack: Slack) -> str:
    """Walk to the code prompt, press "Enter the code privately"; the id of the opened modal."""
    slack.ws.dm(USER, "I forgot my password")
    slack.ws.click(USER, "yes")
    prompt = only(slack.ws.click(USER, "email"))
    assert "sent a 6-digit code" in text_of(prompt)
    click = slack.ws.click_body(USER, action_id="resetdesk_private_code")
    assert slack.ws.post(click, content_type=FORM).status_code == 200
    assert slack.api.calls_to("views.open", ok=True), "the button must open a modal"
    return list(slack.api.modals.opened)[-1]


def test_a_code_entered_privately_is_never_posted_logged_or_stored(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        view_id = code_prompt_with_modal(slack)
        code = last_outbox_code(slack.core)
        wrong = str((int(code) + 1) % 10**6).zfill(6)
        assert slack.ws.submit(view_id, wrong).status_code == 200
        retry = only(slack.ws.new_messages())
        assert "isn't right" in text_of(retry)
        click = slack.ws.click_body(USER, action_id="resetdesk_private_code")
        assert slack.ws.post(click, content_type=FORM).status_code == 200
        assert slack.ws.submit(list(slack.api.modals.opened)[-1], code).status_code == 200
        verified = only(slack.ws.new_messages())
    assert link_url(verified) is not None
    for call in slack.api.calls:  # every message posted or updated, every modal opened
        sent = json.dumps(call.args)
        assert code not in sent and wrong not in sent, f"a typed code went out in {call.method}"
    for view in slack.api.modals.opened.values():
        assert view.view["private_metadata"] == slack.dm
    history = json.dumps(list(slack.api.messages.values()))
    assert code not in history and wrong not in history
    assert code not in caplog.text and wrong not in caplog.text
    for place, text in stored_places(slack.core).items():
        assert code not in text and wrong not in text, place


@pytest.mark.parametrize("case", ["forged", "stale", "unsigned"])
def test_a_forged_submission_verifies_nobody(slack: Slack, case: str) -> None:
    view_id = code_prompt_with_modal(slack)
    posted = len(slack.api.posted())
    body = slack.ws.submit_body(view_id, last_outbox_code(slack.core))
    headers = {
        "forged": sign(body, secret="not-the-signing-secret"),
        "stale": sign(body, timestamp=int(time.time()) - 6 * 60),
        "unsigned": {},
    }[case]
    assert slack.ws.post(body, content_type=FORM, headers=headers, signed=False).status_code == 401
    assert len(slack.api.posted()) == posted
    conversation = slack.conversation()
    assert conversation is not None and conversation.slots["expects"] == "code"
    # Slack's genuine submission of the same view still counts: the forgery used nothing up.
    assert slack.ws.post(body, content_type=FORM).status_code == 200
    assert link_url(only(slack.ws.new_messages())) is not None
