"""`app.py import-employees FILE.csv` end to end: run as a real process against a fresh SQLite file, checking
exit statuses, exact output (bad rows by file line, no secret echoed) and what lands in the database."""

from __future__ import annotations

from app import build_core
from core.directory.importer import COLUMNS
from core.settings import load_settings
from tests.support.cli import (
    CLEAN_ROWS,
    MIXED_REJECTIONS,
    MIXED_ROWS,
    PASSWORD,
    PET_ANSWER,
    SECRET_KEY,
    Cli,
    _assert_no_secrets,
    _row,
)


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
