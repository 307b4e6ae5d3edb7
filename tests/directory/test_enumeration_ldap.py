"""Unknown people on a real slapd answer like known ones, in words and in time: the same limit as the SQL
directory's enumeration test (tests/security/test_enumeration.py), measured against the real server."""

from __future__ import annotations

import time

from app import Core
from tests.directory.conftest import Talk
from tests.support import FakeClock

MAX_MEDIAN_DIFFERENCE_MS = 5.0  # as in tests/security/test_enumeration.py
ROUNDS, WARM_UP = 60, 4
KNOWN, UNKNOWN = "E2001", "E2999"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def test_identify_and_send_take_the_same_time_and_words(ldap_core: Core, clock: FakeClock) -> None:
    identify: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    send: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    words: dict[str, set[str]] = {KNOWN: set(), UNKNOWN: set()}
    for n in range(WARM_UP + ROUNDS):
        for identifier in (KNOWN, UNKNOWN) if n % 2 == 0 else (UNKNOWN, KNOWN):
            talk = Talk(ldap_core, f"person-{n}-{identifier}")
            talk.say("I forgot my password")
            started = time.perf_counter()
            offered = talk.say(identifier)
            identified = time.perf_counter()
            sent = talk.say("email")
            done = time.perf_counter()
            words[identifier].add(offered[-1].text + " | " + sent[-1].text.split(" to ")[0])
            if n >= WARM_UP:
                identify[identifier].append((identified - started) * 1000)
                send[identifier].append((done - identified) * 1000)
        clock.advance(minutes=15)  # stay under the per-account send cap, so every send is real
    assert words[KNOWN] == words[UNKNOWN] and len(words[KNOWN]) == 1, words
    for step, samples in (("identify", identify), ("send code", send)):
        known, unknown = _median(samples[KNOWN]), _median(samples[UNKNOWN])
        print(f"{step}: median known {known:.2f} ms, unknown {unknown:.2f} ms")
        assert abs(known - unknown) < MAX_MEDIAN_DIFFERENCE_MS, (step, known, unknown)
