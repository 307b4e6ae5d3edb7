"""CSV import: per-row validation, line numbers a person sees, no secrets in reasons."""

from __future__ import annotations

import io

import pytest

from core.directory.importer import COLUMNS, ImportFileError, format_report, import_employees, normalise_phone
from core.directory.sql import SqlDirectory
from core.secrets.answers import AnswerStore

HEADER = ",".join(COLUMNS)
PASSWORD = "Zephyr-Quartz-Import-91"
SECRET_ANSWER = "Mittens-The-Secret-Cat"


def _row(
    employee_id: str = "E2001",
    username: str = "",
    full_name: str = "Test Person",
    email: str = "",
    phone: str = "",
    password: str = "",
    questions: tuple[tuple[str, str], ...] = (),
) -> str:
    cells = [employee_id, username, full_name, email, phone, password]
    for n in range(3):
        cells += list(questions[n]) if n < len(questions) else ["", ""]
    return ",".join(f'"{c}"' if ("," in c or "\n" in c) else c for c in cells)


def _run(directory: SqlDirectory, answers: AnswerStore, *rows: str, header: str = HEADER):
    return import_employees(directory, answers, io.StringIO("\n".join([header, *rows]) + "\n"))


def _reasons(report) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(reason for _, reason in report.rejected)


def test_good_rows_are_imported_with_everything(directory: SqlDirectory, answers: AnswerStore) -> None:
    questions = (
        ("first_pet", SECRET_ANSWER),
        ("In what city were you born?", "Lisbon"),
        ("FIRST_SCHOOL", "Oakfield"),
    )
    report = _run(
        directory,
        answers,
        _row("E2001", "jdoe", "Jane  Doe", "jane@example.com", "+44 (20) 7946-0958", PASSWORD, questions),
        _row("E2002"),
    )
    assert (report.imported, report.updated, report.rejected) == (2, 0, [])
    account = directory.find("jdoe")
    assert account is not None
    assert (account.employee_id, account.full_name, account.email) == (
        "E2001",
        "Jane Doe",
        "jane@example.com",
    )
    assert account.phone == "+442079460958"
    assert directory.verify_password(account.id, PASSWORD)
    assert answers.enrolled(account.id) == ["first_pet", "birth_city", "first_school"]
    assert answers.verify(account.id, {"first_pet": SECRET_ANSWER.lower(), "birth_city": "lisbon"})
    bare = directory.find("E2002")
    assert bare is not None
    assert (bare.username, bare.email, bare.phone) == (None, None, None)


def test_missing_columns_reject_the_whole_file(directory: SqlDirectory, answers: AnswerStore) -> None:
    header = "employee_id,username,full_name,email,password"
    with pytest.raises(ImportFileError) as caught:
        _run(directory, answers, f"E2001,jdoe,Jane,jane@example.com,{PASSWORD}", header=header)
    message = str(caught.value)
    assert "phone" in message and "question_1" in message and "answer_3" in message
    assert PASSWORD not in message
    assert directory.find("E2001") is None


def test_empty_file(directory: SqlDirectory, answers: AnswerStore) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        import_employees(directory, answers, io.StringIO(""))


def test_header_is_forgiving_about_case_order_bom_and_extra_columns(
    directory: SqlDirectory, answers: AnswerStore
) -> None:
    columns = ["\ufeffEmail", *(c.upper() for c in COLUMNS if c != "email"), "notes"]
    values = {"email": "x@example.com", "employee_id": "E3001", "notes": "ignored"}
    row = ",".join(values.get(c.strip("\ufeff").lower(), "") for c in columns)
    report = _run(directory, answers, row, header=",".join(columns))
    assert report.imported == 1 and not report.rejected
    assert directory.find("E3001").email == "x@example.com"  # type: ignore[union-attr]


def test_mixed_rows_keep_going_and_report_file_line_numbers(directory: SqlDirectory, answers: AnswerStore) -> None:
    report = _run(
        directory,
        answers,
        _row("E2001", email="good@example.com"),  # line 2
        _row("", email="nobody@example.com"),  # line 3: no ID
        "",  # line 4: blank, skipped
        _row("E2002", full_name="Multi\nLine Name"),  # lines 5-6
        _row("E2003", email="not-an-email", password=PASSWORD),  # line 7
        _row("E2004", phone="12345", password=PASSWORD),  # line 8
        _row("e2001"),  # line 9: duplicate of line 2
        _row("E2005", questions=(("favourite_colour", SECRET_ANSWER),)),  # line 10
        _row("E2006"),  # line 11
    )
    assert (report.imported, report.updated) == (3, 0)
    assert [line for line, _ in report.rejected] == [3, 7, 8, 9, 10]
    reasons = dict(report.rejected)
    assert "employee_id" in reasons[3]
    assert "email" in reasons[7]
    assert "phone" in reasons[8]
    assert "line 2" in reasons[9]
    assert "question_1" in reasons[10]
    for employee_id in ("E2001", "E2002", "E2006"):
        assert directory.find(employee_id) is not None
    assert directory.find("E2002").full_name == "Multi Line Name"  # type: ignore[union-attr]
    for employee_id in ("E2003", "E2004", "E2005"):
        assert directory.find(employee_id) is None
    assert PASSWORD not in _reasons(report)
    assert SECRET_ANSWER not in _reasons(report)


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("a@example.com", True),
        ("first.last+tag@sub.example.co.uk", True),
        ("no-at-sign.example.com", False),
        ("two@@example.com", False),
        ("spaces in@example.com", False),
        ("user@localhost", False),
        ("@example.com", False),
        ("user@example.", False),
    ],
)
def test_email_check(directory: SqlDirectory, answers: AnswerStore, email: str, ok: bool) -> None:
    report = _run(directory, answers, _row("E2001", email=email))
    assert report.imported == (1 if ok else 0)
    assert bool(report.rejected) is not ok


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+1 (202) 555-0101", "+12025550101"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+44.20.7946.0958", "+442079460958"),
        ("202-555-0101", None),
        ("+0 123 456 789", None),
        ("+1 202 CALL NOW", None),
        ("+1234567890123456", None),
    ],
)
def test_phone_check(raw: str, normalised: str | None) -> None:
    if normalised is None:
        with pytest.raises(ValueError):
            normalise_phone(raw)
    else:
        assert normalise_phone(raw) == normalised


def test_username_taken_by_another_account(directory: SqlDirectory, answers: AnswerStore) -> None:
    report = _run(
        directory,
        answers,
        _row("E2001", username="jdoe"),
        _row("E2002", username="JDoe", password=PASSWORD),
        _row("E2003", username="e2001"),
    )
    assert report.imported == 1
    assert [line for line, _ in report.rejected] == [3, 4]
    assert all("username" in reason for _, reason in report.rejected)
    assert PASSWORD not in _reasons(report)


@pytest.mark.parametrize(
    ("questions", "fragment"),
    [
        ((("first_pet", SECRET_ANSWER), ("", "")), None),
        ((("first_pet", ""),), "no answer_1"),
        ((("", SECRET_ANSWER),), "without question_1"),
        ((("first_pet", SECRET_ANSWER), ("What was the name of your first pet?", "Other")), "repeats"),
        ((("first_pet", "a"), (SECRET_ANSWER, "b")), "question_2 is not one of the pool"),
    ],
)
def test_question_rules(
    directory: SqlDirectory,
    answers: AnswerStore,
    questions: tuple[tuple[str, str], ...],
    fragment: str | None,
) -> None:
    report = _run(directory, answers, _row("E2001", questions=questions))
    if fragment is None:
        assert report.imported == 1 and not report.rejected
        return
    assert report.imported == 0
    assert report.rejected[0][0] == 2
    assert fragment in report.rejected[0][1]
    assert SECRET_ANSWER not in report.rejected[0][1]


def test_reimport_updates(directory: SqlDirectory, answers: AnswerStore) -> None:
    first = _run(directory, answers, _row("E2001", "jdoe", "Jane Doe", "jane@example.com", password=PASSWORD))
    assert (first.imported, first.updated) == (1, 0)
    questions = (("first_pet", "Rex"), ("birth_city", "Lisbon"), ("first_car", "Volvo"))
    second = _run(
        directory,
        answers,
        _row("E2001", "jdoe", "Jane Smith", "", "+12025550199", questions=questions),
        _row("E2002"),
    )
    assert (second.imported, second.updated, second.rejected) == (1, 1, [])
    account = directory.find("E2001")
    assert account is not None
    assert (account.full_name, account.email, account.phone) == ("Jane Smith", None, "+12025550199")
    assert directory.verify_password(account.id, PASSWORD)  # empty password cell keeps the password
    assert answers.verify(account.id, {"first_car": "volvo"})


def test_format_report(directory: SqlDirectory, answers: AnswerStore) -> None:
    report = _run(directory, answers, _row("E2001"), _row("E2002", email="bad"))
    text = format_report(report)
    assert "Imported 1 new, updated 0, rejected 1" in text
    assert "line 3: email" in text
