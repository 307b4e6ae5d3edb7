"""`python app.py audit-export` as an operator runs it: to stdout or a file, CSV or JSON Lines, and a plain
error for a date it cannot read."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from core.audit import Audit
from core.clock import Clock
from core.storage.db import Database
from tests.support import FakeClock
from tests.support.cli import Cli


def _seed(cli: Cli) -> None:
    assert cli.run("purge").returncode == 0  # creates and migrates the database file
    database = Database(cli.database_url)
    clock: Clock = FakeClock(datetime(2026, 2, 3, 4, 5, 6))
    try:
        with database.transaction() as session:
            Audit(clock).record(session, "agent.sign_in", actor="agent:sam", success=True)
    finally:
        database.dispose()


def test_exports_csv_to_stdout_and_jsonl_to_a_file(cli: Cli) -> None:
    _seed(cli)
    shown = cli.run("audit-export", "--since", "2026-01-01")
    assert shown.returncode == 0, shown.stderr
    rows = list(csv.DictReader(io.StringIO(shown.stdout, newline="")))
    assert [(r["at"], r["description"], r["actor"], r["outcome"]) for r in rows] == [
        ("2026-02-03T04:05:06.000Z", "Support agent sign-in", "agent:sam", "success")
    ]
    target = cli.tmp_path / "audit.jsonl"
    saved = cli.run("audit-export", "--since", "2026-02-03", "--format", "jsonl", "--output", str(target))
    assert saved.returncode == 0 and saved.stdout == "" and str(target) in saved.stderr
    assert json.loads(target.read_text())["event"] == "agent.sign_in"
    later = cli.run("audit-export", "--since", "2026-02-04")
    assert later.stdout.splitlines() == [shown.stdout.splitlines()[0]]  # only the header


def test_a_bad_date_is_refused_with_the_format_it_needs(cli: Cli) -> None:
    for bad in ("2026-13-01", "yesterday", "01/02/2026"):
        result = cli.run("audit-export", "--since", bad)
        assert result.returncode == 2 and result.stdout == ""
        assert f"{bad!r} is not a date: use YYYY-MM-DD" in result.stderr
    missing = cli.run("audit-export")
    assert missing.returncode == 2 and "--since" in missing.stderr
