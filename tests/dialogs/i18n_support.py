"""Transcripts in another language: a Chat whose channel gives a language hint, and a check that no English
prompt text reached the person (every English msgid of the catalog template, cut at its placeholders)."""

from __future__ import annotations

import re
from functools import lru_cache

from babel.messages.pofile import read_po

from bot.messages import Inbound, Reply
from core.i18n import TRANSLATIONS_DIR, translator
from core.secrets.questions import find_question
from tests.dialogs.conftest import ANSWERS, NEW_PASSWORD, Chat, ChatFactory, add_employee

__all__ = ["NEW_PASSWORD", "LocaleChat", "english_in", "locale_chat"]


def locale_chat(make_chat: ChatFactory, locale: str | None, user_id: str = "user-1") -> LocaleChat:
    """A LocaleChat on the shared test engine, with E1001 (SMS, email and three answers) on file."""
    base = make_chat(user_id=user_id)
    if base.core.directory.find("E1001") is None:
        add_employee(base.core, "E1001")
    chat = LocaleChat(base.engine, base.core, channel=base.channel, user_id=user_id)
    chat.locale = locale
    return chat


class LocaleChat(Chat):
    """A person whose channel says which language they read (a page's lang, a Slack or Telegram locale)."""

    locale: str | None = None

    def say(self, text: str) -> list[Reply]:
        self.replies = self.engine.handle(Inbound(self.channel, self.user_id, text, locale=self.locale))
        self.history.append((text, self.replies))
        return self.replies

    def answer_questions_in(self, lang: str) -> None:
        """Answer each question asked (worded in `lang`) rightly, until none is asked."""
        gettext = translator(lang).gettext
        while self.last.expects == "secret":
            asked = [answer for qid, answer in ANSWERS.items() if gettext(_question(qid)) in self.last.text]
            assert len(asked) == 1, self.last.text
            self.say(asked[0])

    def everything_shown(self) -> list[str]:
        """Each reply's text, button labels and link label, over the whole conversation."""
        shown: list[str] = []
        for _, replies in self.history:
            for reply in replies:
                shown += [reply.text, *(label for label, _ in reply.choices)]
                if reply.link is not None:
                    shown.append(reply.link.label)
        return shown


_NAMES = frozenset({"ResetDesk"})  # the product's name is the same in every language


@lru_cache(maxsize=1)
def _english_fragments() -> tuple[str, ...]:
    """Pieces of every English message long enough that a translation would never contain them by chance."""
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    pieces: set[str] = set()
    for message in template:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for piece in re.split(r"\{\w+\}|%\(\w+\)[sd]", msgid):  # str.format and %-style (pages)
                piece = piece.strip(" .,:;()?!\"'")
                if (len(piece.split()) >= 2 or len(piece) >= 8) and piece not in _NAMES:
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


def english_in(shown: list[str]) -> list[str]:
    """The English fragments found in what was shown (empty when the person met no English)."""
    return sorted({piece for text in shown for piece in _english_fragments() if piece in text})


def _question(question_id: str) -> str:
    question = find_question(question_id)
    assert question is not None
    return question.text
