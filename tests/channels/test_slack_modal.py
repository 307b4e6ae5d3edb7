# ruff: noqa: F811  (fixtures are imported from tests/support, then used as arguments)
"""Codes and answers entered in a Slack modal, so they never become messages in the DM's history.

Through the real Flask app and slack-bolt: signed block_actions and view_submission requests in, the fake Web
API (views.open included, with Slack's trigger rules) out."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from bot.messages import Reply
from channels.slack.modal import INPUT_ACTION, INPUT_BLOCK
from channels.slack.render import message_args
from tests.core.conftest import ANSWERS, last_outbox_code
from tests.support.slack import link_url, text_of
from tests.support.slack_app import USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

FORM = "application/x-www-form-urlencoded"
CODE_BUTTON = "resetdesk_private_code"
ANSWER_BUTTON = "resetdesk_private_secret"
QUESTION_IDS = {
    "What was the name of your first pet?": "first_pet",
    "In what city were you born?": "birth_city",
    "What was the name of your first school?": "first_school",
}


def private_buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["text"]["text"])
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("resetdesk_private_")
    ]


def to_code_prompt(slack: Slack) -> dict[str, Any]:
    slack.ws.dm(USER, "I forgot my password")
    slack.ws.click(USER, "yes")
    return only(slack.ws.click(USER, "email"))


def open_modal(slack: Slack, action_id: str = CODE_BUTTON) -> str:
    """Press the private-entry button; the id of the modal the app opened."""
    click = slack.ws.click_body(USER, action_id=action_id)
    response = slack.ws.post(click, content_type=FORM)
    assert response.status_code == 200 and slack.ws.new_messages() == []
    opened = slack.api.calls_to("views.open", ok=True)
    assert opened, [c.args for c in slack.api.calls_to("views.open")]
    assert opened[-1].args["trigger_id"] == json.loads(_payload(click))["trigger_id"]
    return list(slack.api.modals.opened)[-1]  # the newest


def _payload(form_body: str) -> str:
    from urllib.parse import parse_qs

    return parse_qs(form_body)["payload"][0]


def everything_slack_saw(slack: Slack) -> str:
    return json.dumps([[c.method, c.args] for c in slack.api.calls]) + json.dumps(list(slack.api.messages.values()))


def test_a_code_prompt_has_a_private_entry_button_and_other_prompts_do_not(slack: Slack) -> None:
    greeting = only(slack.ws.dm(USER, "hi"))
    assert private_buttons(greeting) == []
    prompt = to_code_prompt(slack)
    assert "sent a 6-digit code" in text_of(prompt)
    assert private_buttons(prompt) == [(CODE_BUTTON, "Enter the code privately")]
    assert private_buttons(message_args(Reply("Question 1 of 2: ...", expects="secret"))) == [
        (ANSWER_BUTTON, "Answer privately")
    ]
    assert slack.api.calls_to("chat.postMessage", ok=False) == []  # the fake's Block Kit checks passed


def test_pressing_it_opens_a_modal_with_one_input(slack: Slack) -> None:
    prompt = to_code_prompt(slack)
    view_id = open_modal(slack)
    [call] = slack.api.calls_to("views.open")
    view = call.args["view"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 1 and inputs[0]["block_id"] == INPUT_BLOCK
    assert inputs[0]["element"]["type"] == "plain_text_input" and inputs[0]["element"]["action_id"] == INPUT_ACTION
    assert view["private_metadata"] == slack.dm  # where to answer, nothing else
    assert prompt["text"] in json.dumps(view["blocks"], ensure_ascii=False)  # the modal repeats what it asks for
    assert slack.api.modals.opened[view_id].user_id == USER
    # Opening a modal answers nothing: the conversation still waits for the code.
    conversation = slack.conversation()
    assert conversation is not None and conversation.slots["expects"] == "code"


def test_submitting_the_code_verifies_the_person_and_it_never_becomes_a_message(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        to_code_prompt(slack)
        view_id = open_modal(slack)
        code = last_outbox_code(slack.core)
        response = slack.ws.submit(view_id, f" {code} ")
        assert response.status_code == 200 and not response.get_data(as_text=True)  # empty ack: the modal closes
        verified = only(slack.ws.new_messages())
    assert verified["channel"] == slack.dm and link_url(verified) is not None
    assert code not in everything_slack_saw(slack)
    assert code not in caplog.text
    conversation = slack.conversation()
    assert conversation is not None and code not in json.dumps(conversation.transcript)


def test_answers_to_questions_go_through_the_modal_too(slack: Slack) -> None:
    slack.ws.dm(USER, "I forgot my password")
    slack.ws.click(USER, "yes")
    question = only(slack.ws.click(USER, "questions"))
    for _ in range(2):
        assert private_buttons(question) == [(ANSWER_BUTTON, "Answer privately")]
        asked = re.findall(r"Question \d of 2: (.*)", text_of(question))[-1]
        answer = ANSWERS[QUESTION_IDS[asked]]
        assert slack.ws.submit(open_modal(slack, ANSWER_BUTTON), answer).status_code == 200
        question = only(slack.ws.new_messages())
    assert link_url(question) is not None
    assert all(answer not in everything_slack_saw(slack) for answer in ANSWERS.values())


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_an_empty_submission_gets_an_inline_error(slack: Slack, typed: str | None) -> None:
    to_code_prompt(slack)
    view_id = open_modal(slack)
    response = slack.ws.submit(view_id, typed)
    assert response.status_code == 200
    assert response.get_json() == {"response_action": "errors", "errors": {INPUT_BLOCK: "Please type the code."}}
    assert slack.ws.new_messages() == []
    # The modal stays open; the same view submitted with the code works.
    assert slack.ws.submit(view_id, last_outbox_code(slack.core)).status_code == 200
    assert link_url(only(slack.ws.new_messages())) is not None


def test_a_wrong_code_is_answered_in_the_dm_with_a_new_button(slack: Slack) -> None:
    to_code_prompt(slack)
    code = last_outbox_code(slack.core)
    wrong = str((int(code) + 1) % 10**6).zfill(6)
    assert slack.ws.submit(open_modal(slack), wrong).status_code == 200
    retry = only(slack.ws.new_messages())
    assert "code isn't right" in text_of(retry)
    assert private_buttons(retry) == [(CODE_BUTTON, "Enter the code privately")]
    assert wrong not in everything_slack_saw(slack)


def test_a_submission_is_processed_once(slack: Slack) -> None:
    to_code_prompt(slack)
    view_id = open_modal(slack)
    body = slack.ws.submit_body(view_id, last_outbox_code(slack.core))
    for _ in range(3):  # Slack retrying, or a double press of Send
        assert slack.ws.post(body, content_type=FORM).status_code == 200
    assert link_url(only(slack.ws.new_messages())) is not None


def test_typing_the_code_in_the_dm_still_works(slack: Slack) -> None:
    to_code_prompt(slack)
    open_modal(slack)  # opened, then closed without sending
    verified = only(slack.ws.dm(USER, last_outbox_code(slack.core)))
    assert link_url(verified) is not None


def test_a_late_click_still_leaves_typing_in_the_dm(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    to_code_prompt(slack)
    click = slack.ws.click_body(USER, action_id=CODE_BUTTON)
    slack.api.modals.expire_triggers()  # Slack took more than 3 seconds to deliver the click
    with caplog.at_level(logging.WARNING):
        assert slack.ws.post(click, content_type=FORM).status_code == 200
    assert [c.args.get("trigger_id") for c in slack.api.calls_to("views.open", ok=False)] == [
        json.loads(_payload(click))["trigger_id"]
    ]
    assert "Slack views.open failed: expired_trigger_id" in caplog.text
    assert link_url(only(slack.ws.dm(USER, last_outbox_code(slack.core)))) is not None


def test_choosing_another_way_removes_the_private_button(slack: Slack) -> None:
    to_code_prompt(slack)
    slack.ws.click(USER, "another way")
    pressed = slack.api.messages[(slack.dm, slack.api.calls_to("chat.update")[-1].args["ts"])]
    assert private_buttons(pressed) == []
