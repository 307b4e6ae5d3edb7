"""What the bot says. Lives in dialogs/ (the lowest layer that speaks) and is re-exported by bot/."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from core.i18n import current_language, translator
from dialogs.prompts import Buttons

__all__ = ["Expects", "Link", "Reply", "without_link"]

Expects = Literal["text", "code", "secret", "none"]


@dataclass(frozen=True, slots=True)
class Link:
    url: str = field(repr=False)  # a reset link holds a token
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """`choices` are (label, value) pairs shown as buttons; typing the value or the label works too.
    `expects` lets a channel show a numeric keypad (code) or a masked field (secret). `wait_seconds`: a new code
    can be asked for in that many seconds; a channel that can shows a countdown and offers "Send again" after."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()
    expects: Expects = "text"
    link: Link | None = None
    author: Literal["bot", "agent"] = "bot"  # "agent": a person from IT support wrote it
    wait_seconds: int | None = None
    # The language it was said in (core.i18n), for what is added to it later, outside the turn (without_link).
    lang: str = field(default_factory=current_language, compare=False, repr=False)

    def in_its_language(self, message: str) -> str:
        """A msgid (e.g. the channels' "IT support" label) in this reply's language, whatever scope renders it."""
        return translator(self.lang).gettext(message)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": self.text,
            "choices": [{"label": label, "value": value} for label, value in self.choices],
            "expects": self.expects,
            "link": {"url": self.link.url, "label": self.link.label} if self.link else None,
        }
        if self.author == "agent":
            body["from"] = "agent"
        if self.wait_seconds is not None:
            body["wait_seconds"] = self.wait_seconds
        return body


def without_link(reply: Reply) -> Reply:
    """The reply as a channel that keeps history shows it later: the link (its URL holds a token) replaced by
    a way to ask the bot for a fresh one, which the conversation understands in the waiting state."""
    gettext = translator(reply.lang).gettext
    label = reply.link.label if reply.link else gettext("link")
    return replace(
        reply,
        text=gettext('{text} ({label}: say "new link" to get it here)').format(text=reply.text, label=label),
        choices=reply.choices or tuple((gettext(label), value) for label, value in Buttons.GET_LINK),
        link=None,
    )
