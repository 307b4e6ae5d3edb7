"""Email and SMS providers down, slow or failing. The chat answers at once either way (codes go through the
delivery queue); the delivery worker retries, and when a code finally cannot be delivered the person's
conversation is told plainly and offered another way. A failed send costs nothing (no code counted, the
send cap untouched)."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import Core, wiring
from bot.delivery_notice import NOT_DELIVERED
from core.delivery.worker import DeliveryWorker
from core.storage.models import DeliveryJob, HandoffTicket, OneTimeCode
from dialogs.prompts import HANDOFF_REASON
from tests.channels.conftest import ChatClient
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee, last_outbox_code
from tests.fakes.smtp_server import FakeSmtpServer, _run
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support import FakeClock
from tests.support.races import audit_count, web_app

TIMEOUT = 0.5  # seconds: the provider timeouts set for these tests
SENT = "a 6-digit code to "


class SlowSmtpServer(FakeSmtpServer):
    """Accepts the message, then takes far longer than the client's timeout to say so."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        deadline = time.monotonic() + 10 * TIMEOUT
        while time.monotonic() < deadline and not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 2.0.0 Message accepted for delivery (too late)"


@pytest.fixture
def slow_smtp_server() -> Iterator[SlowSmtpServer]:
    server = SlowSmtpServer()
    try:
        for _ in _run(server):
            yield server
    finally:
        server.release.set()


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening on it (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_settings(port: int) -> dict[str, Any]:
    return {
        "email_backend": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_timeout_seconds": TIMEOUT,
    }


def twilio_settings(api: FakeTwilioApi) -> dict[str, Any]:
    return {
        "sms_backend": "twilio",
        "twilio_account_sid": api.account_sid,
        "twilio_auth_token": api.auth_token,
        "twilio_from_number": "+15555550100",
        "twilio_api_url": api.url,
        "sms_timeout_seconds": TIMEOUT,
    }


def codes_on_record(core: Core) -> int:
    with core.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(OneTimeCode)) or 0


def values(message: dict[str, Any]) -> list[str]:
    return [choice["value"] for choice in message["choices"]]


def chat_on(core: Core) -> tuple[Flask, ChatClient]:
    app = web_app(core)
    return app, ChatClient(app.test_client())


def choose(core: Core, chat: ChatClient, method: str, *, walk: bool = True) -> None:
    """Walk to the method choice (unless already there) and pick `method`: the chat says "sent" at once,
    whatever the provider is doing, because it only queues the code; the worker (settle) talks to the provider.
    Checked by the queue, not a stopwatch: the job is there, never tried, when the reply comes."""
    if walk:
        chat.say("I forgot my password")
        chat.say("E1001")
    replies = chat.say(method)
    assert SENT in replies[-1]["text"], replies
    assert untried_jobs(core) == 1, "the chat tried the provider itself"


def untried_jobs(core: Core) -> int:
    with core.database.transaction() as session:
        untried = (DeliveryJob.status == "queued", DeliveryJob.attempts == 0)
        return session.scalar(select(func.count()).select_from(DeliveryJob).where(*untried)) or 0


def settle(app: Flask, clock: FakeClock) -> DeliveryWorker:
    """Run the app's delivery worker, moving the clock to each retry, until nothing waits to be sent."""
    worker: DeliveryWorker = wiring(app).delivery
    for _ in range(10):
        worker.drain()
        if not worker.queue.waiting():
            return worker
        clock.advance(seconds=10)
    raise AssertionError("deliveries still waiting after 10 rounds")


def assert_told_and_offered_another_way(chat: ChatClient, kind: str, other: str) -> list[dict[str, Any]]:
    pushed = [m for m in chat.poll() if m.get("from") != "person"]
    assert any(NOT_DELIVERED[kind] in m["text"] for m in pushed), pushed
    assert other in values(pushed[-1]) and "none" in values(pushed[-1]), pushed
    return pushed


def assert_send_cost_nothing(core: Core, chat: ChatClient, other: str, kind: str) -> None:
    """No code was counted for the failed send: with a cap of one send an hour and 60 s between sends,
    the other method still sends a code at once, and it is the only code on record."""
    assert codes_on_record(core) == 0
    assert audit_count(core, "code.delivery_failed") == 1 and audit_count(core, "code.sent") == 0
    replies = chat.say(other)
    assert replies[-1]["expects"] == "code", replies
    assert codes_on_record(core) == 1
    assert "/reset/" in chat.say(last_outbox_code(core, kind))[-1]["link"]["url"]


# -- email ------------------------------------------------------------------------------------------------------


def test_smtp_server_down_tells_the_person_and_offers_another_way(
    make_core: CoreFactory, clock: FakeClock, closed_port: int
) -> None:
    core = make_core(code_sends_per_hour=1, **smtp_settings(closed_port))
    add_employee(core)
    app, chat = chat_on(core)
    choose(core, chat, "email")
    assert chat.poll() == []  # nothing to say until the worker has tried
    settle(app, clock)
    assert_told_and_offered_another_way(chat, "email", "sms")
    assert_send_cost_nothing(core, chat, "sms", "sms")


def test_slow_smtp_server_times_out_and_the_person_is_offered_another_way(
    make_core: CoreFactory, clock: FakeClock, slow_smtp_server: SlowSmtpServer
) -> None:
    core = make_core(code_sends_per_hour=1, **smtp_settings(slow_smtp_server.port))
    add_employee(core)
    app, chat = chat_on(core)
    choose(core, chat, "email")  # quick although the server hangs
    settle(app, clock)
    assert_told_and_offered_another_way(chat, "email", "sms")
    assert_send_cost_nothing(core, chat, "sms", "sms")


# -- SMS --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_sms_provider_5xx_on_every_try_tells_the_person_and_offers_another_way(
    make_core: CoreFactory, clock: FakeClock, twilio_api: FakeTwilioApi, status: int
) -> None:
    core = make_core(code_sends_per_hour=1, **twilio_settings(twilio_api))
    add_employee(core)
    twilio_api.fail_next(core.settings.delivery_max_attempts, status)
    app, chat = chat_on(core)
    choose(core, chat, "sms")
    settle(app, clock)
    assert twilio_api.requests == core.settings.delivery_max_attempts  # tried, then given up
    assert_told_and_offered_another_way(chat, "sms", "email")
    assert_send_cost_nothing(core, chat, "email", "email")
    assert twilio_api.messages == []


def test_sms_provider_failing_once_is_retried_and_the_code_arrives(
    make_core: CoreFactory, clock: FakeClock, twilio_api: FakeTwilioApi
) -> None:
    core = make_core(**twilio_settings(twilio_api))
    add_employee(core)
    twilio_api.fail_next(1, 503)
    app, chat = chat_on(core)
    choose(core, chat, "sms")
    worker = wiring(app).delivery
    assert worker.drain() == 1 and twilio_api.messages == []  # the first try failed; the retry is not due yet
    clock.advance(seconds=core.settings.delivery_retry_seconds)
    assert worker.drain() == 1
    [sms] = twilio_api.messages
    assert chat.poll() == []  # nothing went wrong as far as the person can tell
    code = re.search(r"\b(\d{6})\b", sms.body)
    assert code is not None
    assert "/reset/" in chat.say(code.group(1))[-1]["link"]["url"]
    assert audit_count(core, "code.sent") == 1 and audit_count(core, "code.delivery_failed") == 0


def test_sms_provider_timeout_tells_the_person_and_offers_another_way(
    make_core: CoreFactory, clock: FakeClock, twilio_api: FakeTwilioApi
) -> None:
    core = make_core(code_sends_per_hour=1, **twilio_settings(twilio_api))
    add_employee(core)
    twilio_api.delay_seconds = 10 * TIMEOUT
    app, chat = chat_on(core)
    choose(core, chat, "sms")
    settle(app, clock)
    assert_told_and_offered_another_way(chat, "sms", "email")
    assert_send_cost_nothing(core, chat, "email", "email")


def test_every_code_provider_down_and_no_questions_hands_off_to_a_person(
    make_core: CoreFactory, clock: FakeClock, twilio_api: FakeTwilioApi, closed_port: int
) -> None:
    core = make_core(breaker_failure_threshold=1, **smtp_settings(closed_port), **twilio_settings(twilio_api))
    add_employee(core, answers={})
    twilio_api.fail_next(5, 500)
    app, chat = chat_on(core)
    choose(core, chat, "email")
    settle(app, clock)
    pushed = assert_told_and_offered_another_way(chat, "email", "sms")
    assert "email" not in values(pushed[-1])  # the email server is known to be down now
    choose(core, chat, "sms", walk=False)
    settle(app, clock)
    handed = chat.poll()
    assert any(HANDOFF_REASON["provider_down"] in m["text"] for m in handed), handed
    assert "ticket" in handed[-1]["text"]
    with core.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(HandoffTicket)) == 1
    assert codes_on_record(core) == 0


def test_a_failure_after_the_person_moved_on_does_not_interrupt_them(
    make_core: CoreFactory, clock: FakeClock, closed_port: int
) -> None:
    core = make_core(**smtp_settings(closed_port))
    add_employee(core)
    app, chat = chat_on(core)
    choose(core, chat, "email")
    chat.say("another way")
    asked = chat.say("questions")
    assert asked[-1]["text"].startswith("Question 1 of 2"), asked
    settle(app, clock)
    assert chat.poll() == []
    assert audit_count(core, "code.delivery_failed") == 1  # still on the record
