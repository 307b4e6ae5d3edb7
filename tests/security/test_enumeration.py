"""Account enumeration: probing an employee ID or username must not tell whether it exists, by any reply,
status code or response time, on any channel (web chat API, Slack DM, Telegram webhook, terminal).

The known account has every method on file (phone, email, three questions): an account with fewer methods
shows fewer choices, a residual signal README's design notes accept, so it is not probed here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app import Core
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support import FakeClock, deliver_queued
from tests.support.attacks import (
    TelegramUser,
    channels_app,
    chat_from,
    mask,
    median_ms,
    outbox,
    slack_view,
    terminal_engine,
    terminal_view,
    timed,
    web_app,
)

KNOWN_ID, KNOWN_USERNAME = "E1001", "e1001user"
UNKNOWN_ID, UNKNOWN_USERNAME = "E9999", "e9999user"
# Everything an attacker can do with an identifier before being verified: ask for a code, guess it, ask for
# another too soon, switch to questions, guess the answers, ask for a person, then leave (which closes the ticket,
# so the second probe sees the same queue).
PROBE = (
    "I forgot my password",
    "<identifier>",
    "email",
    "000000",
    "resend",
    "another way",
    "questions",
    "my first guess",
    "my second guess",
    "agent",
    "is anyone there?",
    "cancel",
)
MAX_MEDIAN_DIFFERENCE_MS = 5.0
EVERY_STEP = ("How would you like to confirm it", "sent a 6-digit code", "That code isn't right", "a new code in",
              "Question 1 of 2: <a question from the pool>", "didn't match", "RD-<ref>")  # fmt: skip


def script(identifier: str) -> list[str]:
    return [identifier if step == "<identifier>" else step for step in PROBE]


def assert_probe_went_everywhere(seen: Any) -> None:
    """The probe reached each step (so the comparison covers them): methods, a code, questions, a ticket."""
    text = str(seen)
    for shown in EVERY_STEP:
        assert shown in text, shown


def assert_known_path_was_taken(core: Core) -> None:
    """The known probe's code really went out (so its replies came from the known-account path)."""
    assert [m.recipient for m in outbox(core)] == ["e1001@example.com"]


@pytest.fixture
def core(make_core: CoreFactory) -> Core:
    core = make_core()
    add_employee(core, KNOWN_ID)
    return core


# -- replies and status codes, channel by channel ---------------------------------------------------------------


def test_web_chat_api_replies_and_statuses_are_the_same_for_unknown_identifiers(
    app: Flask, core: Core, clock: FakeClock
) -> None:

    def probe(identifier: str, address: str) -> list[Any]:
        chat = chat_from(app, address)
        seen: list[Any] = [(201, chat.messages)]
        for text in script(identifier):
            response = chat.client.post("/api/chat/messages", json={"text": text})
            body = response.get_json()
            seen.append((response.status_code, sorted(body), body.get("messages")))
        return mask(seen)

    for known_id, unknown_id in ((KNOWN_ID, UNKNOWN_ID), (KNOWN_USERNAME, UNKNOWN_USERNAME)):
        known = probe(known_id, "203.0.113.1")
        unknown = probe(unknown_id, "203.0.113.2")
        assert known == unknown
        assert_probe_went_everywhere(known)
        clock.advance(minutes=2)  # the next round's code may be sent (60 s apart per account)
    assert len(outbox(core)) == 2  # one code per known probe, none for the unknown ones


def test_slack_dm_replies_and_statuses_are_the_same_for_unknown_identifiers(make_core: CoreFactory) -> None:
    with channels_app(make_core) as channels:
        add_employee(channels.core, KNOWN_ID)
        ws = channels.slack

        def probe(identifier: str, user_id: str) -> list[Any]:
            ws.api.add_user(user_id, email=None)  # no workspace email: the account must be typed
            seen: list[Any] = []
            for text in script(identifier):
                response = ws.send_event(ws.dm_event(user_id, text))
                seen.append((response.status_code, [slack_view(m) for m in ws.new_messages()]))
            return mask(seen)

        known = probe(KNOWN_USERNAME, "U0KNOWN001")
        unknown = probe(UNKNOWN_USERNAME, "U0UNKNOWN1")
        assert known == unknown
        assert_probe_went_everywhere(known)
        assert_known_path_was_taken(channels.core)


def test_telegram_webhook_replies_and_statuses_are_the_same_for_unknown_identifiers(
    make_core: CoreFactory,
) -> None:
    with channels_app(make_core) as channels:
        add_employee(channels.core, KNOWN_ID)

        def probe(identifier: str, user_id: int) -> list[Any]:
            person = TelegramUser(channels, user_id)
            # (status, the bot's messages, and how many of the person's messages it deleted: codes and answers)
            return mask([person.say(text) for text in ["/start", *script(identifier)]])

        known = probe(KNOWN_ID, 6660001)
        unknown = probe(UNKNOWN_ID, 6660002)
        assert known == unknown
        assert_probe_went_everywhere(known)
        assert sum(deleted for _, _, deleted in known) >= 3  # the code and the answers were taken off the screen
        assert_known_path_was_taken(channels.core)


def test_terminal_engine_replies_are_the_same_for_unknown_identifiers(core: Core, clock: FakeClock) -> None:
    add_employee(core, KNOWN_ID)
    engine = terminal_engine(core, clock)

    def probe(identifier: str, user_id: str) -> list[Any]:
        return mask([terminal_view(engine, user_id, text) for text in script(identifier)])

    known = probe(KNOWN_USERNAME, "tty-known")
    unknown = probe(UNKNOWN_USERNAME, "tty-unknown")
    assert known == unknown
    assert_probe_went_everywhere(known)
    assert_known_path_was_taken(core)


# -- response times ------------------------------------------------------------------------------------------------

TRIES = 200
WARM_UP = 6


def test_identify_and_code_send_take_the_same_time_for_unknown_identifiers(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    """200 tries each, interleaved (known, unknown, then unknown, known, ...) so drift hits both alike; the
    identifier step, and asking for an email code right after it (outbox delivery)."""
    identify: dict[str, list[float]] = {KNOWN_ID: [], UNKNOWN_ID: []}
    send: dict[str, list[float]] = {KNOWN_ID: [], UNKNOWN_ID: []}
    for n in range(WARM_UP + TRIES):
        order = (KNOWN_ID, UNKNOWN_ID) if n % 2 == 0 else (UNKNOWN_ID, KNOWN_ID)
        for identifier in order:
            chat = chat_from(app, f"198.51.100.{n % 200}")
            chat.say("I forgot my password")
            methods, identify_time = timed(lambda: chat.say(identifier))  # noqa: B023
            sent, send_time = timed(lambda: chat.say("email"))  # noqa: B023
            assert "How would you like" in methods[-1]["text"] and "sent a 6-digit" in sent[-1]["text"]
            if n >= WARM_UP:
                identify[identifier].append(identify_time)
                send[identifier].append(send_time)
        deliver_queued(core)  # the delivery worker's part, before the codes expire
        clock.advance(minutes=15)  # stay under the per-account send cap (5 an hour), so every send is real
    assert len(outbox(core)) == WARM_UP + TRIES
    for step, samples in (("identify", identify), ("send code", send)):
        known, unknown = median_ms(samples[KNOWN_ID]), median_ms(samples[UNKNOWN_ID])
        print(f"{step}: median known {known:.2f} ms, unknown {unknown:.2f} ms, difference {known - unknown:+.2f} ms")
        assert abs(known - unknown) < MAX_MEDIAN_DIFFERENCE_MS, (step, known, unknown)


def timed_pairs(
    app: Flask,
    *,
    rounds: int,
    warm_up: int,
    step: str,
    reply: str,
    lead_in: tuple[str, ...] = (),
    between_rounds: Callable[[], object] = lambda: None,
) -> list[dict[str, float]]:
    """Each round, the time `step` takes for a known and for an unknown identifier, side by side (the order
    alternates, so machine drift falls on both alike); every timed step must get `reply`. Warm-up rounds are
    left out of what is returned."""
    pairs: list[dict[str, float]] = []
    for n in range(warm_up + rounds):
        pair: dict[str, float] = {}
        for identifier in (KNOWN_ID, UNKNOWN_ID) if n % 2 == 0 else (UNKNOWN_ID, KNOWN_ID):
            chat = chat_from(app, f"192.0.2.{n}")
            for text in ("I forgot my password", identifier, *lead_in):
                chat.say(text)
            replies, pair[identifier] = timed(lambda: chat.say(step))  # noqa: B023
            assert reply in replies[-1]["text"], replies
        between_rounds()
        if n >= warm_up:
            pairs.append(pair)
    return pairs


def pair_medians(pairs: list[dict[str, float]]) -> tuple[float, float]:
    """Median ms of the known and of the unknown identifier's timings."""
    return median_ms([p[KNOWN_ID] for p in pairs]), median_ms([p[UNKNOWN_ID] for p in pairs])


def test_answering_a_question_takes_the_same_time_for_unknown_identifiers(make_core: CoreFactory) -> None:
    """With argon2 at the production floor (19 MiB, t=2; ~18 ms a hash on an idle box): a known account's answer is
    checked against its hash, an unknown one's against a decoy hash, so the answer step costs the same. argon2 time
    swings with other load on the machine, so besides the difference of medians the check uses the median of the
    paired differences (each known try next to an unknown one), which cancels that drift. Fewer tries than above;
    only the first answer of a set is sent, so no failure is counted and nothing locks."""
    app, core = web_app(make_core, argon2_memory_kib=19456, argon2_time_cost=2)
    add_employee(core, KNOWN_ID)
    pairs = timed_pairs(
        app, rounds=40, warm_up=4, lead_in=("questions",), step="a wrong answer", reply="Question 2 of 2"
    )
    known, unknown = pair_medians(pairs)
    paired = median_ms([p[KNOWN_ID] - p[UNKNOWN_ID] for p in pairs])
    print(f"answer: median known {known:.2f} ms, unknown {unknown:.2f} ms, paired difference {paired:+.2f} ms")
    assert known > 10 and unknown > 10  # argon2 really ran at this cost
    assert abs(paired) < MAX_MEDIAN_DIFFERENCE_MS, (known, unknown, paired)


def test_code_send_through_a_real_smtp_server_takes_the_same_time_for_unknown_identifiers(
    make_core: CoreFactory, clock: FakeClock, smtp_server: Any
) -> None:
    accept = smtp_server.handle_DATA

    async def slow_accept(*args: Any) -> str:  # a hosted relay takes tens of ms to accept a message
        await asyncio.sleep(0.03)
        return str(await accept(*args))

    smtp_server.handle_DATA = slow_accept
    app, core = web_app(
        make_core, email_backend="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False
    )
    add_employee(core, KNOWN_ID)
    pairs = timed_pairs(
        app,
        rounds=20,
        warm_up=3,
        step="email",
        reply="sent a 6-digit",
        between_rounds=lambda: (deliver_queued(core), clock.advance(minutes=15)),
    )
    assert len(smtp_server.messages) == 23
    known, unknown = pair_medians(pairs)
    print(f"send code by SMTP: median known {known:.2f} ms, unknown {unknown:.2f} ms")
    assert abs(known - unknown) < MAX_MEDIAN_DIFFERENCE_MS, (known, unknown)
