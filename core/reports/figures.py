"""The figures of the reports page, computed from the audit trail by SQL aggregates (never every row in memory).

A recovery's outcome is decided over the recoveries *started* in the period (a cohort), so the parts add up to
the recoveries started: handed off (a ticket was opened, whatever came after: a person helped), else completed
on their own (a password reset or unlock), else abandoned (the person cancelled), else unfinished (went quiet,
or still under way). The containment rate is completed on their own / started. The other figures count the
events written in the period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from sqlalchemy import Select, String, and_, cast, distinct, func, literal_column, select
from sqlalchemy.engine import Connection

from core.audit import Audit
from core.clock import Clock
from core.enrollment.types import Coverage
from core.i18n import N_
from core.reports.labels import PERIODS, channel_words, method_words
from core.storage.db import Database
from core.storage.models import Account, AuditEvent
from core.support.reasons import reason_words

__all__ = ["COMPLETED", "Figures", "Outcomes", "RepeatPerson", "Reports"]

COMPLETED = ("account.password_reset", "account.unlocked")
_A = AuditEvent
_FIRST: Any = literal_column("1")  # GROUP BY the first column: one JSON expression, the same on SQLite and PostgreSQL


@dataclass(frozen=True, slots=True)
class Outcomes:
    started: int
    completed: int  # on their own
    handed_off: int
    abandoned: int
    unfinished: int

    @property
    def containment(self) -> float | None:
        """Share of the recoveries started that the person completed without a person's help."""
        return self.completed / self.started if self.started else None


@dataclass(frozen=True, slots=True)
class Figures:
    days: int
    since: datetime
    outcomes: Outcomes
    completions_by_method: Mapping[str, int]  # in words
    completions_by_channel: Mapping[str, int]
    handoff_reasons: Mapping[str, int]
    failures_by_method: Mapping[str, int]
    median_seconds: int | None  # time to reset: from the recovery's start to the password changed
    p90_seconds: int | None
    locked_accounts: int  # accounts whose self-service a failed verification locked
    repeat_people: int  # people (an account, else a pseudonymous chat user) with more than two recoveries
    coverage: Coverage | None  # enrollment: employees by number of ways to verify


@dataclass(frozen=True, slots=True)
class RepeatPerson:
    who: str  # the employee ID; else in words: an account gone from the directory, or identifiers matching nobody
    recoveries: int


class Reports:
    def __init__(self, database: Database, clock: Clock, coverage: Callable[[], Coverage] | None = None) -> None:
        self.database = database
        self._clock = clock
        self._coverage = coverage
        self._audit = Audit(clock)

    def since(self, days: int) -> datetime:
        if days not in PERIODS:
            raise ValueError(f"a report covers one of {PERIODS} days")
        return self._clock.now() - timedelta(days=days)

    def figures(self, days: int) -> Figures:
        since = self.since(days)
        with self.database.engine.connect() as db:
            method, channel = _A.detail["method"].as_string(), _A.detail["channel"].as_string()
            completions = and_(_A.event.in_(COMPLETED), _A.at >= since)
            reason = _A.detail["reason"].as_string()
            figures = Figures(
                days=days,
                since=since,
                outcomes=_outcomes(db, since),
                completions_by_method=_words(_grouped(db, method, completions), method_words),
                completions_by_channel=_words(_grouped(db, channel, completions), channel_words),
                handoff_reasons=_words(_grouped(db, reason, _in_period("handoff.opened", since)), reason_words),
                failures_by_method=_words(_grouped(db, method, _in_period("verification.failed", since)), method_words),
                median_seconds=_percentile(db, 0.5, completions),
                p90_seconds=_percentile(db, 0.9, completions),
                locked_accounts=_locked_accounts(db, since),
                repeat_people=_repeat_people(db, since),
                coverage=None,
            )
        if self._coverage is None:
            return figures
        return replace(figures, coverage=self._coverage())

    def repeat_people(self, days: int, *, viewer: str) -> list[RepeatPerson]:
        """Who the "more than two recoveries" figure counts, most first, for an admin who opens the list: a
        list of employee IDs, so each opening is audited with the viewer's name."""
        since = self.since(days)
        with self.database.transaction() as session:
            people = [RepeatPerson(_who(*row[:2]), row[2]) for row in session.execute(_repeat_query(since))]
            self._audit.record(session, "report.people_viewed", actor=viewer, days=days, listed=len(people))
        return people


def _in_period(event: str, since: datetime) -> Any:
    return and_(_A.event == event, _A.at >= since)


def _grouped(db: Connection, key: Any, where: Any) -> list[tuple[str | None, int]]:
    query = select(key, func.count()).where(where).group_by(_FIRST).order_by(func.count().desc())
    return [(row[0], row[1]) for row in db.execute(query)]


def _words(rows: list[tuple[str | None, int]], words: Callable[[str], str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, count in rows:
        label = words(code) if code else "not recorded"
        out[label] = out.get(label, 0) + count  # two codes may read the same (an old row, a newer one)
    return out


def _count_recoveries(db: Connection, started: Select[Any], events: tuple[str, ...], *excluded: Select[Any]) -> int:
    where = [_A.event.in_(events), _A.recovery_id.in_(started)]
    where += [_A.recovery_id.not_in(other) for other in excluded]
    return db.scalar(select(func.count(distinct(_A.recovery_id))).where(*where)) or 0


def _outcomes(db: Connection, since: datetime) -> Outcomes:
    started = select(_A.recovery_id).where(_in_period("recovery.started", since), _A.recovery_id.is_not(None))
    total = db.scalar(select(func.count(distinct(_A.recovery_id))).where(_A.recovery_id.in_(started))) or 0
    handed = select(_A.recovery_id).where(_A.event == "handoff.opened", _A.recovery_id.is_not(None))
    done = select(_A.recovery_id).where(_A.event.in_(COMPLETED), _A.recovery_id.is_not(None))
    handed_off = _count_recoveries(db, started, ("handoff.opened",))
    completed = _count_recoveries(db, started, COMPLETED, handed)
    abandoned = _count_recoveries(db, started, ("recovery.abandoned",), handed, done)
    return Outcomes(total, completed, handed_off, abandoned, total - completed - handed_off - abandoned)


def _percentile(db: Connection, share: float, where: Any) -> int | None:
    """Nearest rank: the smallest time at least `share` of the completions took no longer than. Two small
    queries (a count, then one row at an offset) on any database, instead of every duration in memory."""
    seconds = _A.detail["seconds"].as_integer()
    timed = and_(where, seconds.is_not(None))
    n = db.scalar(select(func.count()).where(timed)) or 0
    if n == 0:
        return None
    rank = max(ceil(share * n), 1)
    return db.scalar(select(seconds).where(timed).order_by(seconds).offset(rank - 1).limit(1))


def _locked_accounts(db: Connection, since: datetime) -> int:
    failed = _in_period("verification.failed", since)
    locked = and_(failed, _A.detail["locked"].as_boolean(), _A.account_id.is_not(None))
    return db.scalar(select(func.count(distinct(_A.account_id))).where(locked)) or 0


def _people(since: datetime) -> Select[str, int | None, int]:
    """People with more than two recoveries in the period: by account, else by the pseudonymous chat user (an
    identifier that matched nobody)."""
    person = func.coalesce(cast(_A.account_id, String), _A.actor)
    recoveries = func.count(distinct(_A.recovery_id))
    return (
        select(person.label("person"), func.min(_A.account_id).label("account_id"), recoveries.label("recoveries"))
        .where(_in_period("recovery.started", since))
        .group_by(person)
        .having(recoveries > 2)
    )


def _repeat_people(db: Connection, since: datetime) -> int:
    """Counted only: who they are is never part of the figures."""
    return db.scalar(select(func.count()).select_from(_people(since).subquery())) or 0


def _who(employee_id: str | None, account_id: int | None) -> str:
    if employee_id:
        return employee_id
    # Catalog msgids: the people page shows them in the admin's language.
    gone, nobody = N_("an account no longer on file"), N_("identifiers that matched nobody (one chat user)")
    return gone if account_id is not None else nobody


def _repeat_query(since: datetime) -> Select[str, int | None, int]:
    people = _people(since).subquery()
    return (
        select(Account.employee_id, people.c.account_id, people.c.recoveries)
        .select_from(people)
        .outerjoin(Account, Account.id == people.c.account_id)
        .order_by(people.c.recoveries.desc(), Account.employee_id)
    )
