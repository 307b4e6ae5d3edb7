"""Coverage (`python app.py report enrollment`) and nudges (`python app.py nudge-enrollment`).

Employees are the rows of `accounts`: with the SQL directory, everyone; with LDAP/AD, the people ResetDesk has
met (the anchors it keeps), since the directory port offers no listing. Nudges go to each contact on file
(directory and confirmed self-enrolled). ResetDesk keeps no lasting link from a person to a Slack or Telegram
user (a chat is tied to an account only inside a recovery, and recoveries are purged after their retention), so
chat platforms are not nudged.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from core.delivery.queue import Outgoing
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.methods import MethodsStep
from core.enrollment.store import status_row
from core.enrollment.types import ContactSource, Coverage, NudgeSummary
from core.i18n import gettext, use_language
from core.storage.models import Account, EnrollmentStatus

__all__ = ["CoverageStep", "nudge_text"]

_BUCKETS = ("0", "1", "2", "3+")


def nudge_text(count: int, url: str) -> tuple[str, str]:
    """(email body, sms body) of a nudge to someone with `count` usable methods."""
    enroll = f"{url}/enroll"
    if count == 0:
        email = gettext(
            "ResetDesk can reset your password for you when you forget it, but it has no way to verify you on "
            "file. Add a mobile number, an email or security questions at {url} (sign in with your current "
            "password); it takes two minutes and makes the next reset quicker.\n\nIf you did not expect this "
            "message, ask IT support."
        )
    else:
        email = gettext(
            "ResetDesk can reset your password for you when you forget it, but it has only one way to verify you "
            "on file. Add a mobile number, an email or security questions at {url} (sign in with your current "
            "password); it takes two minutes and makes the next reset quicker.\n\nIf you did not expect this "
            "message, ask IT support."
        )
    sms = gettext("ResetDesk: add a backup way to verify you, for the next time you forget your password: {url}")
    return email.format(url=enroll), sms.format(url=enroll)


class CoverageStep:
    def __init__(self, deps: EnrollmentDeps, methods: MethodsStep) -> None:
        self._deps = deps
        self._methods = methods

    def _employees(self) -> list[int]:
        """Account ids of employees (LDAP/AD anchors included, see the module docstring)."""
        with self._deps.database.engine.connect() as connection:
            return list(connection.execute(select(Account.id).order_by(Account.id)).scalars())

    def coverage(self) -> Coverage:
        by_count: Counter[str] = Counter({bucket: 0 for bucket in _BUCKETS})
        by_method: Counter[str] = Counter({"sms": 0, "email": 0, "questions": 0})
        self_enrolled: Counter[str] = Counter({"sms": 0, "email": 0})
        employees = 0
        for account_id in self._employees():
            if self._deps.directory.get(account_id) is None:
                continue  # an anchor of someone no longer in the directory
            employees += 1
            state = self._methods.on_file(account_id)
            by_count[_BUCKETS[min(state.count, 3)]] += 1
            by_method.update(state.kinds())
            self_enrolled.update(c.kind.value for c in state.contacts if c.source is ContactSource.SELF)
        return Coverage(employees, dict(by_count), dict(by_method), dict(self_enrolled))

    def nudge(self) -> NudgeSummary:
        deps = self._deps
        now = deps.clock.now()
        since = now - timedelta(days=deps.limits.nudge_interval_days)
        considered = sent = messages = recent = unreachable = 0
        with deps.database.engine.connect() as connection:
            nudged = dict(connection.execute(select(EnrollmentStatus.account_id, EnrollmentStatus.nudged_at)).all())
        for account_id in self._employees():
            if deps.directory.get(account_id) is None:
                continue
            state = self._methods.on_file(account_id)
            if state.count >= 2:
                continue
            considered += 1
            last = nudged.get(account_id)
            if last is not None and last > since:
                recent += 1
                continue
            targets = [(c.kind.value, c.display) for c in state.contacts]
            if not targets:
                unreachable += 1
                continue
            with use_language(deps.limits.default_language):  # a batch job: support's language, not a person's
                email, sms = nudge_text(state.count, deps.limits.public_url)
                subject = gettext("Add a backup way to verify you")
            with deps.database.transaction() as session:
                for kind, to in targets:
                    message = Outgoing("email", to, email, subject) if kind == "email" \
                        else Outgoing("sms", to, sms)  # fmt: skip
                    deps.deliveries.enqueue(session, message)
                status_row(session, account_id).nudged_at = now
                deps.audit.record(session, "enroll.nudged", actor="system", account_id=account_id,
                                  methods=state.count, messages=len(targets))  # fmt: skip
            sent += 1
            messages += len(targets)
        return NudgeSummary(considered, sent, messages, recent, unreachable)
