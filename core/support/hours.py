"""Support hours: "Mon-Fri 08:00-18:00 Europe/Berlin" -> is it open now, and when does it open next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["SupportHours", "parse_support_hours"]

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_PATTERN = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})"
    r"(?:\s+(?P<zone>\S+))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SupportHours:
    days: frozenset[int]  # 0 = Monday
    opens: time
    closes: time
    zone: ZoneInfo

    def is_open(self, now_utc: datetime) -> bool:
        local = now_utc.replace(tzinfo=UTC).astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now_utc: datetime) -> datetime:
        """The next opening as an aware local datetime (now_utc is naive UTC, as everywhere in core)."""
        local = now_utc.replace(tzinfo=UTC).astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self.opens, tzinfo=self.zone)
            if day.weekday() in self.days and opening > local:
                return opening
        raise AssertionError("a week always has an opening")  # unreachable: days is never empty


def parse_support_hours(text: str) -> SupportHours:
    """Parse "Mon-Fri 08:00-18:00 Europe/Berlin" (zone optional, UTC by default); ValueError if malformed."""
    match = _PATTERN.match(text)
    if not match:
        raise ValueError('expected a form like "Mon-Fri 08:00-18:00 Europe/Berlin"')
    first, last = match["first"].lower(), (match["last"] or match["first"]).lower()
    if first not in _DAYS or last not in _DAYS:
        raise ValueError(f"days are {', '.join(d.title() for d in _DAYS)}")
    start, end = _DAYS.index(first), _DAYS.index(last)
    days = frozenset(range(start, end + 1)) if start <= end else frozenset([*range(start, 7), *range(0, end + 1)])
    opens, closes = (time.fromisoformat(match[k].zfill(5)) for k in ("open", "close"))
    if opens >= closes:
        raise ValueError("the opening time must be before the closing time")
    try:
        zone = ZoneInfo(match["zone"] or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {match['zone']!r}") from None
    return SupportHours(days, opens, closes, zone)
