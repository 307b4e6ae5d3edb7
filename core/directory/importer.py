"""Employee import from CSV (`python app.py import-employees FILE.csv`).

Each row stands alone: a bad row is reported with the line number a person sees in the file (the header
is line 1) and the good rows are imported. Reasons name the column and the rule, never a password or an
answer, so the report can be pasted into a ticket.
"""

from __future__ import annotations

import _csv
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from core.directory.sql import DirectoryError, EmployeeRecord, SqlDirectory, identifier_key
from core.secrets.answers import AnswerStore
from core.secrets.questions import find_question

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportReport",
    "format_report",
    "import_employees",
    "normalise_phone",
]

COLUMNS = (
    "employee_id",
    "username",
    "full_name",
    "email",
    "phone",
    "password",
    "question_1",
    "answer_1",
    "question_2",
    "answer_2",
    "question_3",
    "answer_3",
)
_QUESTION_SLOTS = (1, 2, 3)
# Deliberately simple: one @, something before it, a dotted domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (e.g. its header lacks columns); nothing was imported."""


@dataclass
class ImportReport:
    imported: int = 0  # created
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


class _RowError(ValueError):
    pass


def normalise_phone(raw: str) -> str:
    """ "+44 (20) 7946-0958" -> "+442079460958"; "00" counts as "+". Raises ValueError when not E.164."""
    phone = _PHONE_SEPARATORS.sub("", raw)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not _E164.match(phone):
        raise ValueError("phone must be an international number starting with + and the country code")
    return phone


def import_employees(directory: SqlDirectory, answers: AnswerStore, source: TextIO) -> ImportReport:
    """Import every good row of `source`; a bad row is reported by line and skipped."""
    reader = csv.reader(source)
    index = _column_index(reader)
    report = ImportReport()
    seen: dict[str, int] = {}  # employee ID key -> line where it first appeared
    for line, cells in _rows(reader, report):
        row = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        try:
            created = _apply(directory, answers, _record(row), line, seen)
        except (_RowError, DirectoryError) as exc:
            report.rejected.append((line, str(exc)))
            continue
        if created:
            report.imported += 1
        else:
            report.updated += 1
    return report


def _column_index(reader: Iterator[list[str]]) -> dict[str, int]:
    """Read the header line: where each of COLUMNS is, in any order. A bad header stops the import."""
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("the file is empty; the first line must name the columns") from None
    except csv.Error as exc:
        raise ImportFileError(f"line 1 is not valid CSV ({exc})") from None
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise ImportFileError(
            f"the header (line 1) lacks the column(s) {', '.join(missing)}; expected: {', '.join(COLUMNS)}"
        )
    return {name: names.index(name) for name in COLUMNS}


def _rows(reader: _csv.Reader, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for each non-blank row; unreadable rows go to the report."""
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines; report where the row starts
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.rejected.append((start, f"not valid CSV ({exc})"))
            continue
        if any(cell.strip() for cell in cells):  # blank lines are not rows
            yield start, cells


def _apply(
    directory: SqlDirectory, answers: AnswerStore, record: EmployeeRecord, line: int, seen: dict[str, int]
) -> bool:
    """Create or update one employee and enrol their answers; True when created. Refuses a repeated ID."""
    key = identifier_key(record.employee_id)
    if key in seen:
        raise _RowError(f"employee_id {record.employee_id} already appears on line {seen[key]}")
    seen[key] = line
    created = directory.upsert(record)
    account = directory.find(record.employee_id)
    if account is not None and record.answers:
        answers.enrol(account.id, record.answers)
    return created


def _record(row: dict[str, str]) -> EmployeeRecord:
    if any("\x00" in (cell or "") for cell in row.values()):
        # Never stored: PostgreSQL refuses NUL in text, and no real name, ID or answer contains one.
        raise _RowError("a cell contains a NUL character (a corrupt or binary file?)")
    employee_id = row["employee_id"].strip()
    if not employee_id:
        raise _RowError("employee_id is missing")
    email = row["email"].strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise _RowError("email is not a valid address (expected name@example.com)")
    phone = row["phone"].strip()
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError as exc:
            raise _RowError(str(exc)) from None
    return EmployeeRecord(
        employee_id=employee_id,
        username=row["username"].strip() or None,
        full_name=" ".join(row["full_name"].split()),
        email=email or None,
        phone=phone or None,
        password=row["password"] or None,  # kept exactly as typed; the directory normalises it
        answers=_answers(row),
    )


def _answers(row: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for n in _QUESTION_SLOTS:
        question_cell = row[f"question_{n}"].strip()
        answer = row[f"answer_{n}"]
        if not question_cell and not answer.strip():
            continue
        if not question_cell:
            raise _RowError(f"answer_{n} is given without question_{n}")
        if not answer.strip():
            raise _RowError(f"question_{n} has no answer_{n}")
        question = find_question(question_cell)
        if question is None:
            # The cell is not echoed: a misplaced answer could be sitting in it.
            raise _RowError(f"question_{n} is not one of the pool questions (use its id or exact text)")
        if question.id in found:
            raise _RowError(f"question_{n} repeats an earlier question ({question.id})")
        found[question.id] = answer
    return found


def format_report(report: ImportReport) -> str:
    lines = [f"Imported {report.imported} new, updated {report.updated}, rejected {len(report.rejected)}."]
    lines += [f"  line {number}: {reason}" for number, reason in sorted(report.rejected)]
    return "\n".join(lines)
