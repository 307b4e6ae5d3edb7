"""A reply with `wait_seconds` on Slack and Telegram: no live countdown there, so the text says when a new code can
be asked for and the "Send again" button is there at once (pressed early, the bot answers with the time left)."""

from __future__ import annotations

from bot.messages import Reply
from channels.slack.render import message_args
from channels.telegram.render import render
from dialogs.prompts import TEXT, Buttons

WAIT = Reply(TEXT["too_soon"].format(seconds=42), choices=Buttons.WAIT, expects="code", wait_seconds=42)


def test_slack_shows_the_wait_and_send_again() -> None:
    args = message_args(WAIT)
    assert "You can ask for a new code in 42 seconds." in args["text"]
    buttons = [e for block in args["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert {"label": buttons[0]["text"]["text"], "value": buttons[0]["value"]} == {
        "label": "Send again",
        "value": "resend",
    }


def test_telegram_shows_the_wait_and_send_again() -> None:
    [(text, keyboard)] = render(WAIT)
    assert text == "You can ask for a new code in 42 seconds."
    assert keyboard is not None
    first = keyboard.inline_keyboard[0][0]
    assert (first.text, first.callback_data) == ("Send again", "resend")
