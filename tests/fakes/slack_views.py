"""Modals for the fake Slack Web API: trigger ids handed out with interactions, and views.open.

Like Slack, a trigger_id opens one view, within 3 seconds of the interaction that carried it
(https://docs.slack.dev/reference/methods/views.open). Opened views are kept, with the person they were opened
for, so a test can submit one the way Slack would (tests/support/slack.py builds the view_submission)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.slack_blocks import view_errors

__all__ = ["TRIGGER_SECONDS", "FakeViews", "OpenedView"]

TRIGGER_SECONDS = 3.0


@dataclass
class OpenedView:
    user_id: str
    view: dict[str, Any]  # as views.open answered it: id, hash, state, root_view_id...


class FakeViews:
    def __init__(self, *, team_id: str, app_id: str, bot_id: str) -> None:
        self._team_id, self._app_id, self._bot_id = team_id, app_id, bot_id
        self.opened: dict[str, OpenedView] = {}  # view id -> the view
        self._triggers: dict[str, tuple[str, float]] = {}  # trigger_id -> (user, issued at); removed when used
        self.used: set[str] = set()
        self._lock = threading.Lock()

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for an interaction of this user (a button click, a shortcut)."""
        trigger_id = f"{int(time.time())}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger_id] = (user_id, time.monotonic())
        return trigger_id

    def expire_triggers(self) -> None:
        """As if more than 3 seconds passed since every interaction so far."""
        with self._lock:
            self._triggers = {t: (u, at - TRIGGER_SECONDS - 1) for t, (u, at) in self._triggers.items()}

    def open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id, view = str(args.get("trigger_id") or ""), args.get("view")
        if not trigger_id or view is None:
            return {"ok": False, "error": "invalid_arguments"}
        if errors := view_errors(view):
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": errors}}
        with self._lock:
            if trigger_id in self.used:
                return {"ok": False, "error": "exchanged_trigger_id"}
            issued = self._triggers.pop(trigger_id, None)
            if issued is None or time.monotonic() - issued[1] > TRIGGER_SECONDS:
                return {"ok": False, "error": "expired_trigger_id"}
            self.used.add(trigger_id)
            view_id = "V" + secrets.token_hex(5).upper()
            opened = {
                "id": view_id,
                "team_id": self._team_id,
                "type": "modal",
                "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "state": {"values": {}},
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "title": view["title"],
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "close": view.get("close"),
                "submit": view.get("submit"),
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": self._app_id,
                "external_id": view.get("external_id", ""),
                "app_installed_team_id": self._team_id,
                "bot_id": self._bot_id,
            }
            self.opened[view_id] = OpenedView(issued[0], opened)
        return {"ok": True, "view": opened}
