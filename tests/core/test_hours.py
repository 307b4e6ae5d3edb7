from __future__ import annotations

from datetime import datetime

import pytest

from core.settings import SettingsError, load_settings
from core.support.hours import parse_support_hours


def test_open_inside_hours_in_the_zone_and_closed_outside() -> None:
    hours = parse_support_hours("Mon-Fri 08:00-18:00 Europe/Berlin")
    monday_9_berlin = datetime(2026, 1, 5, 8, 0)  # 08:00 UTC = 09:00 in Berlin (winter)
    assert hours.is_open(monday_9_berlin)
    assert not hours.is_open(datetime(2026, 1, 5, 17, 0))  # 18:00 Berlin: closed
    saturday = datetime(2026, 1, 10, 10, 0)
    assert not hours.is_open(saturday)
    opening = hours.next_opening(saturday)
    assert (opening.weekday(), opening.hour, opening.minute) == (0, 8, 0)


def test_wrapping_day_ranges_and_default_zone() -> None:
    hours = parse_support_hours("Sat-Mon 10:00-12:00")
    assert hours.days == frozenset({5, 6, 0})
    assert hours.is_open(datetime(2026, 1, 4, 11, 0))  # Sunday, UTC


@pytest.mark.parametrize("text", ["weekdays 9-5", "Mon-Fri 18:00-08:00", "Mon-Fri 08:00-18:00 Mars/Base"])
def test_malformed_hours_stop_start_up_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESETDESK_SUPPORT_HOURS", text)
    with pytest.raises(SettingsError, match="RESETDESK_SUPPORT_HOURS"):
        load_settings()
