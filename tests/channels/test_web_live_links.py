"""A link pushed to the web chat (an agent's reset link) reaches the page once, live; history keeps no URL."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from app import Core
from bot.messages import Link, Reply
from channels.web.history import PENDING, WebHistory
from core.storage.models import ChatMessage

URL = "https://resetdesk.example/reset/TOKEN-abcdef123456"
REPLY = Reply("IT support sent you a reset link.", link=Link(URL, "Choose a new password"))


def _history(core: Core, secret: bytes = b"k" * 32) -> WebHistory:
    return WebHistory(core.database, core.clock, secret=secret)


def _rows(core: Core) -> list[tuple[str, str]]:
    with core.database.transaction() as session:
        return [(m.sender, json.dumps(m.payload)) for m in session.scalars(select(ChatMessage))]


def test_the_first_read_gets_the_link_and_later_reads_the_history_form(core: Core) -> None:
    history = _history(core)
    history.record("s1", person_text="hello", replies=[Reply("Hi")])
    row_id = history.hold_link("s1", REPLY, sender="bot")
    [(_, stored)] = [row for row in _rows(core) if row[0] == PENDING]
    assert "TOKEN-abcdef123456" not in stored  # sealed while pending

    first, newest = history.after("s1", 0)
    assert newest == row_id
    assert first[-1]["link"] == {"url": URL, "label": "Choose a new password"}
    assert first[-1]["from"] == "bot" and first[-1]["text"] == REPLY.text

    again, _ = history.after("s1", 0)  # a reload, or a second tab
    assert again[-1]["link"] is None and again[-1]["from"] == "bot"
    assert again[-1]["choices"] == [{"label": "Get a new link", "value": "new link"}]
    assert all(sender != PENDING for sender, _ in _rows(core))
    assert not any("TOKEN" in payload or "sealed" in payload for _, payload in _rows(core))


def test_a_pending_link_is_only_for_its_own_session(core: Core) -> None:
    history = _history(core)
    history.hold_link("s1", REPLY, sender="agent")
    assert history.after("s2", 0) == ([], 0)
    mine, _ = history.after("s1", 0)
    assert mine[0]["link"]["url"] == URL and mine[0]["from"] == "agent"


def test_a_link_sealed_under_another_key_shows_only_the_history_form(core: Core) -> None:
    _history(core, secret=b"old key" * 5).hold_link("s1", REPLY, sender="bot")
    shown, _ = _history(core, secret=b"new key" * 5).after("s1", 0)
    assert shown[0]["link"] is None and "new link" in shown[0]["text"]
    assert not any("sealed" in payload for _, payload in _rows(core))


def test_read_after_the_pending_row_leaves_it_pending(core: Core) -> None:
    history = _history(core)
    row_id = history.hold_link("s1", REPLY, sender="bot")
    assert history.after("s1", row_id) == ([], row_id)
    shown, _ = history.after("s1", row_id - 1)
    assert shown[0]["link"]["url"] == URL


def test_a_newer_link_lets_go_of_one_still_held(core: Core) -> None:
    history = _history(core)
    history.hold_link("s1", REPLY, sender="agent")
    newer = Reply("Here is a newer link.", link=Link(URL + "-2", "Choose a new password"))
    history.hold_link("s1", newer, sender="agent")
    assert [sender for sender, _ in _rows(core)] == ["agent", PENDING]  # one sealed link at most per chat
    old, new = history.after("s1", 0)[0]
    assert old["link"] is None and new["link"]["url"] == URL + "-2"


def test_two_readers_at_once_get_the_link_once(core: Core) -> None:
    """Two tabs poll at the same moment: one shows the link, the other the history form."""
    history = _history(core)
    for attempt in range(5):
        session = f"race-{attempt}"
        history.hold_link(session, REPLY, sender="agent")
        start = threading.Barrier(2)

        def read(session: str = session, start: threading.Barrier = start) -> dict[str, Any]:
            start.wait()
            return history.after(session, 0)[0][0]

        with ThreadPoolExecutor(2) as pool:
            shown = list(pool.map(lambda _: read(), range(2)))
        assert sorted(m["link"] is not None for m in shown) == [False, True]
