"""The command line as a subprocess (`python app.py ...` against its own SQLite file), and the CSV files
tests/test_cli_*.py import: good and bad employee rows and the secrets that must never be echoed."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from core.directory.importer import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "cli-test-secret-key-not-for-production"
TIMEOUT_SECONDS = 120

# Values that must never be echoed: every password and answer in the files below.
PASSWORD = "Zephyr-Quartz-Cli-91"
PET_ANSWER = "Rex-The-Cli-Dog"
SECRETS = (
    PASSWORD,
    PET_ANSWER,
    "Lisbon-Cli-Birth-City",
    "Oakfield-Cli-School",
    "Orchid-Missing-Id-33",
    "Basalt-Bad-Email-47",
    "Cobalt-Bad-Phone-58",
    "Juniper-Second-Row-62",
    "Walnut-Duplicate-Row-74",
    "Quince-Unknown-Question-85",
    "Misplaced-Answer-In-Question-Cell",
    "Tundra-Clean-File-19",
)


def _row(**cells: str) -> list[str]:
    """A CSV row in COLUMNS order; unnamed columns are empty."""
    unknown = set(cells) - set(COLUMNS)
    assert not unknown, f"not a column: {unknown}"
    return [cells.get(name, "") for name in COLUMNS]


def _questions(*pairs: tuple[str, str]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for n, (question, answer) in enumerate(pairs, start=1):
        cells[f"question_{n}"] = question
        cells[f"answer_{n}"] = answer
    return cells


# A file mixing good and bad rows. Line numbers are those a person sees in an editor: the header is line 1,
# a blank line still counts, and a quoted cell spanning two lines moves every later row down by one.
MIXED_ROWS: tuple[list[str] | None, ...] = (
    _row(  # line 2: good, everything filled in
        employee_id="E3001",
        username="jdoe",
        full_name="Jane Doe",
        email="jane.doe@example.com",
        phone="+44 (20) 7946-0958",
        password=PASSWORD,
        **_questions(
            ("first_pet", PET_ANSWER),
            ("In what city were you born?", "Lisbon-Cli-Birth-City"),
            ("first_school", "Oakfield-Cli-School"),
        ),
    ),
    _row(full_name="No Id", password="Orchid-Missing-Id-33"),  # line 3
    _row(employee_id="E3010", email="not-an-email", password="Basalt-Bad-Email-47"),  # line 4
    _row(employee_id="E3011", phone="12345", password="Cobalt-Bad-Phone-58"),  # line 5
    None,  # line 6: blank
    _row(employee_id="E3002", full_name="Kim\nLee", password="Juniper-Second-Row-62"),  # lines 7-8
    _row(employee_id="e3001", full_name="Jane Again", password="Walnut-Duplicate-Row-74"),  # line 9
    _row(  # line 10
        employee_id="E3012",
        password="Quince-Unknown-Question-85",
        **_questions(("Misplaced-Answer-In-Question-Cell", "Quince-Unknown-Question-85")),
    ),
    _row(employee_id="E3003"),  # line 11: good, nothing but the ID
)


MIXED_REJECTIONS = (
    "  line 3: employee_id is missing\n"
    "  line 4: email is not a valid address (expected name@example.com)\n"
    "  line 5: phone must be an international number starting with + and the country code\n"
    "  line 9: employee_id e3001 already appears on line 2\n"
    "  line 10: question_1 is not one of the pool questions (use its id or exact text)\n"
)


CLEAN_ROWS = (
    _row(employee_id="E4001", username="tclean", full_name="Tess Clean", password="Tundra-Clean-File-19"),
    _row(employee_id="E4002", full_name="Uma Clean", email="uma@example.com", phone="0044 20 7946 0959"),
)


@dataclass
class Cli:
    """Runs `python app.py ...` in a subprocess against its own SQLite file and inspects that file."""

    tmp_path: Path

    @property
    def db_path(self) -> Path:
        return self.tmp_path / "cli.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,  # already free of the developer's RESETDESK_* (autouse fixture in conftest)
            "RESETDESK_DATABASE_URL": self.database_url,
            "RESETDESK_SECRET_KEY": SECRET_KEY,
            **env,
        }
        result = subprocess.run(
            [sys.executable, "app.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def import_rows(self, rows: Sequence[list[str] | None]) -> subprocess.CompletedProcess[str]:
        return self.run("import-employees", str(self.write_csv("employees.csv", rows)))

    def write_csv(self, name: str, rows: Sequence[list[str] | None], header: Sequence[str] = COLUMNS) -> Path:
        """Write a CSV file; a None row is a blank line."""
        path = self.tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                if row is None:
                    target.write("\n")
                else:
                    writer.writerow(row)
        return path

    def count(self, table: str) -> int:
        if not self.db_path.exists():
            return 0
        with closing(sqlite3.connect(self.db_path)) as connection:
            (rows,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608 - fixed names
        return int(rows)

    def employee_ids(self) -> list[str]:
        with closing(sqlite3.connect(self.db_path)) as connection:
            return [row[0] for row in connection.execute("SELECT employee_id FROM accounts ORDER BY employee_id")]


def _assert_no_secrets(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    leaked = [secret for secret in SECRETS if secret in output]
    assert not leaked, f"echoed: {leaked}"
