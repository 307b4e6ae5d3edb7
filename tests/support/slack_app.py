"""The Slack app under test: `Slack` (workspace, fake Web API, Flask app and core together) and its fixtures
(`slack_api`, `make_slack`, `slack`). A test module imports the fixtures to use them (`# noqa: F401`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import Core, create_app
from core.storage.models import Conversation
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.fakes.slack_api import FakeSlackApi, running_slack_api
from tests.support.slack import SIGNING_SECRET, SlackWorkspace

__all__ = ["FORM", "USER", "Slack", "make_slack", "only", "slack", "slack_api"]

USER = "U0JORDAN01"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Slack:
    ws: SlackWorkspace
    api: FakeSlackApi
    app: Flask
    core: Core

    @property
    def dm(self) -> str:
        return self.api.dm_channel(USER)

    def conversation(self) -> Conversation | None:
        with self.core.database.transaction() as session:
            row = session.scalars(
                select(Conversation).where(Conversation.channel == "slack", Conversation.user_id == USER)
            ).first()
            if row is not None:
                session.expunge(row)
            return row


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with running_slack_api() as api:
        yield api


@pytest.fixture
def make_slack(make_core: CoreFactory, slack_api: FakeSlackApi):  # type: ignore[no-untyped-def]
    def factory(*, before_response: bool = True, **overrides: Any) -> Slack:
        settings = {
            "slack_bot_token": slack_api.bot_token,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": slack_api.url,
        } | overrides
        # Work before the HTTP response makes the tests deterministic (production answers first, then works).
        core = make_core(slack_process_before_response=before_response, **settings)
        app = create_app(core=core)
        app.testing = True
        return Slack(SlackWorkspace(app.test_client(), slack_api), slack_api, app, core)

    return factory


@pytest.fixture
def slack(make_slack) -> Slack:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    add_employee(s.core)
    s.api.add_user(USER, email="E1001@Example.com")  # the directory has e1001@example.com
    return s


def only(messages: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(messages) == 1, [m.get("text") for m in messages]
    return messages[0]
