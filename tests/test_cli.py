"""The command line end to end: `app.py demo-data` and `app.py import-employees FILE.csv` run as real processes
against a fresh SQLite file, checking exit statuses, exact output and what lands in the database."""

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

import pytest

from app import build_core
from core.directory.demo import DEMO_EMPLOYEES, format_demo
from core.directory.importer import COLUMNS
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def _assert_no_secrets(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    leaked = [secret for secret in SECRETS if secret in output]
    assert not leaked, f"echoed: {leaked}"


# -- demo-data -------------------------------------------------------------------------------------------


def test_demo_data_prints_every_employee_and_case(cli: Cli) -> None:
    result = cli.run("demo-data")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(format_demo(list(DEMO_EMPLOYEES)) + "\n")
    assert "/agent  (demo agent 'demo-agent', password 'demo agent password')" in result.stdout
    assert cli.count("agents") == 1
    for employee_id in ("E1001", "E1002", "E1003", "E1004", "E1005", "E1006"):
        assert f"\n{employee_id}  " in result.stdout
    for e in DEMO_EMPLOYEES:
        assert f"{e.employee_id}  {e.username}  {e.full_name} — {e.case}\n" in result.stdout
    assert cli.employee_ids() == [e.employee_id for e in DEMO_EMPLOYEES]


def test_demo_data_twice_changes_nothing(cli: Cli) -> None:
    first = cli.run("demo-data")
    counts = {table: cli.count(table) for table in ("accounts", "challenge_answers", "password_history")}
    second = cli.run("demo-data")

    assert (first.returncode, second.returncode) == (0, 0)
    assert second.stdout == first.stdout
    assert counts == {"accounts": 6, "challenge_answers": 9, "password_history": 0}
    assert cli.count("agents") == 1
    assert {table: cli.count(table) for table in counts} == counts  # same password is not re-hashed


# -- import-employees ------------------------------------------------------------------------------------


def test_import_reports_bad_rows_by_file_line_and_imports_the_good_ones(cli: Cli) -> None:
    result = cli.import_rows(MIXED_ROWS)

    assert result.returncode == 1
    assert result.stdout == "Imported 3 new, updated 0, rejected 5.\n" + MIXED_REJECTIONS
    assert cli.employee_ids() == ["E3001", "E3002", "E3003"]
    assert cli.count("challenge_answers") == 3
    _assert_no_secrets(result)


def test_reimporting_the_same_file_updates_instead_of_adding(cli: Cli) -> None:
    cli.import_rows(MIXED_ROWS)
    history = cli.count("password_history")

    again = cli.import_rows(MIXED_ROWS)

    assert again.returncode == 1
    assert again.stdout == "Imported 0 new, updated 3, rejected 5.\n" + MIXED_REJECTIONS
    assert cli.count("accounts") == 3
    assert cli.count("password_history") == history  # unchanged passwords are not re-hashed
    _assert_no_secrets(again)


def test_a_clean_file_exits_zero_and_a_reimport_counts_updates(cli: Cli) -> None:
    first = cli.import_rows(CLEAN_ROWS)
    second = cli.import_rows(CLEAN_ROWS)

    assert (first.returncode, first.stdout) == (0, "Imported 2 new, updated 0, rejected 0.\n")
    assert (second.returncode, second.stdout) == (0, "Imported 0 new, updated 2, rejected 0.\n")
    assert cli.employee_ids() == ["E4001", "E4002"]
    _assert_no_secrets(first)
    _assert_no_secrets(second)


def test_missing_columns_are_refused_before_any_row_is_imported(cli: Cli) -> None:
    header = [name for name in COLUMNS if name not in ("phone", "answer_3")]
    rows = [[cell for name, cell in zip(COLUMNS, row, strict=True) if name in header] for row in CLEAN_ROWS]
    path = cli.write_csv("partial.csv", rows, header=header)

    result = cli.run("import-employees", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "error: the header (line 1) lacks the column(s) phone, answer_3; expected: " in result.stderr
    assert cli.count("accounts") == 0
    _assert_no_secrets(result)


def test_a_file_that_does_not_exist_is_an_error(cli: Cli) -> None:
    missing = cli.tmp_path / "nowhere.csv"

    result = cli.run("import-employees", str(missing))

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"error: no such file: {missing}" in result.stderr
    assert cli.count("accounts") == 0


def test_a_file_that_is_not_utf8_is_refused_whole_with_the_line(cli: Cli) -> None:
    # Larger than a text-file read buffer, with the bad byte near the end (a Windows-1252 export of "José").
    rows = [",".join(_row(employee_id=f"E{5000 + n}", full_name=f"Person {n}")) for n in range(400)]
    rows.append(",".join(_row(employee_id="E9999", full_name="José López")))
    path = cli.tmp_path / "latin1.csv"
    path.write_bytes("\n".join([",".join(COLUMNS), *rows, ""]).encode("cp1252"))

    result = cli.run("import-employees", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "error: line 402 is not UTF-8 text (save the file as CSV UTF-8); nothing was imported" in result.stderr
    assert cli.count("accounts") == 0


def test_a_byte_order_mark_is_accepted(cli: Cli) -> None:
    path = cli.write_csv("bom.csv", CLEAN_ROWS)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    result = cli.run("import-employees", str(path))

    assert (result.returncode, result.stdout) == (0, "Imported 2 new, updated 0, rejected 0.\n")


def test_imported_employee_is_found_case_insensitively_and_their_password_verifies(cli: Cli) -> None:
    assert cli.import_rows(MIXED_ROWS).returncode == 1

    core = build_core(
        load_settings(_env_file=None, database_url=cli.database_url, secret_key=SECRET_KEY), migrate=False
    )
    try:
        account = core.directory.find("JDOE")
        assert account is not None
        assert core.directory.find(" e3001 ") == account
        assert (account.employee_id, account.username, account.full_name) == ("E3001", "jdoe", "Jane Doe")
        assert (account.email, account.phone) == ("jane.doe@example.com", "+442079460958")
        assert core.directory.verify_password(account.id, PASSWORD)
        assert not core.directory.verify_password(account.id, PASSWORD.lower())
        assert core.answers.enrolled(account.id) == ["first_pet", "birth_city", "first_school"]
        assert core.answers.verify(account.id, {"first_pet": f"  {PET_ANSWER.upper()} "})
        second = core.directory.find("e3002")
        assert second is not None and second.full_name == "Kim Lee"
    finally:
        core.database.dispose()


# -- settings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["demo-data", "import-employees"])
def test_a_wrong_setting_stops_the_command_and_is_named(cli: Cli, command: str) -> None:
    args = [command] if command == "demo-data" else [command, str(cli.write_csv("employees.csv", CLEAN_ROWS))]

    result = cli.run(*args, RESETDESK_POLICY="lenient")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "RESETDESK_POLICY" in result.stderr
    assert not cli.db_path.exists()  # stopped before touching the database
