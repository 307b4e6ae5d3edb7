from __future__ import annotations

import threading

from bot.dedupe import EventLedger
from core.storage.db import Database
from tests.support import FakeClock


def test_an_event_is_first_only_once_per_channel(database: Database, clock: FakeClock) -> None:
    ledger = EventLedger(database, clock)
    assert ledger.first_time("slack", "Ev1")
    assert not ledger.first_time("slack", "Ev1")
    assert ledger.first_time("telegram", "Ev1")


def test_concurrent_deliveries_of_one_event_yield_one_winner(database: Database, clock: FakeClock) -> None:
    ledger = EventLedger(database, clock)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def deliver() -> None:
        barrier.wait()
        results.append(ledger.first_time("telegram", "update-7"))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
