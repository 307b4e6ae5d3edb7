"""`app.py report enrollment` and `app.py nudge-enrollment` as real processes on the demo employees."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.support.cli import Cli


def test_report_enrollment_prints_coverage_by_count_and_by_method(cli: Cli) -> None:
    assert cli.run("demo-data").returncode == 0
    result = cli.run("report", "enrollment")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Enrollment coverage: 6 employee(s)\n")
    for line in (
        "    0 method(s)       1   17%",
        "    1 method(s)       3   50%",
        "    2 method(s)       0    0%",
        "   3+ method(s)       2   33%",
        "  mobile (SMS)              3",
        "  security questions        3",
    ):
        assert line + "\n" in result.stdout, line  # fmt: skip
    assert cli.run("report", "nothing").returncode == 2  # only known reports


def test_nudge_enrollment_messages_once_per_interval(cli: Cli) -> None:
    assert cli.run("demo-data").returncode == 0
    first = cli.run("nudge-enrollment", "--deliver")
    assert first.returncode == 0, first.stderr
    assert "Employees with fewer than 2 ways to verify: 4\n  nudged now: 2 (2 message(s) queued" in first.stdout
    assert "delivered or retried 2 message(s)" in first.stdout
    with closing(sqlite3.connect(cli.db_path)) as db:
        sent = db.execute("SELECT count(*) FROM outbox_messages WHERE body LIKE '%/enroll%'").fetchone()[0]
    assert sent == 2
    second = cli.run("nudge-enrollment")
    assert "nudged now: 0 (0 message(s)" in second.stdout
    assert "skipped, nudged in the last 30 days: 2" in second.stdout
    shorter = cli.run("nudge-enrollment", RESETDESK_NUDGE_INTERVAL_DAYS="1")
    assert "skipped, nudged in the last 1 days: 2" in shorter.stdout  # the setting is read
