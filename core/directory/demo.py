# ruff: noqa: S106 - the demo passwords are public on purpose (printed by `app.py demo-data`).
"""Demo employees (`python app.py demo-data`): one for every path through recovery.

These credentials are public demo data, printed on purpose so a person trying the product can play
each case. Loading twice changes nothing (upsert by employee ID; the same password is not re-hashed).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.directory.sql import EmployeeRecord, SqlDirectory
from core.secrets.answers import AnswerStore
from core.secrets.questions import find_question

__all__ = ["DEMO_EMPLOYEES", "DemoEmployee", "format_demo", "load_demo_data"]


@dataclass(frozen=True, slots=True)
class DemoEmployee:
    employee_id: str
    username: str
    full_name: str
    case: str
    email: str | None = None
    phone: str | None = None
    password: str | None = None  # demo only: printed so the sign-in page can be tried
    answers: tuple[tuple[str, str], ...] = ()  # (question id, answer), demo only
    locked: bool = False


# Phone numbers are in the +1 xxx 555-01xx range reserved for fiction; emails use example.com.
_ANSWERS = (("first_pet", "Rex the dog"), ("birth_city", "Lisbon"), ("first_school", "Oakfield Primary"))
DEMO_EMPLOYEES: tuple[DemoEmployee, ...] = (
    DemoEmployee(
        "E1001", "asmith", "Alice Smith", "every method: email code, SMS code or questions",
        email="alice.smith@example.com", phone="+12025550101", password="violet-harbour-kettle-42",
        answers=_ANSWERS,
    ),
    DemoEmployee(
        "E1002", "bjones", "Bob Jones", "SMS code only (no email, no questions)",
        phone="+12025550102", password="copper-meadow-lantern-17",
    ),
    DemoEmployee(
        "E1003", "cnguyen", "Chi Nguyen", "email code only (no phone, no questions)",
        email="chi.nguyen@example.com", password="saffron-glacier-pencil-88",
    ),
    DemoEmployee(
        "E1004", "dokafor", "Dayo Okafor", "challenge questions only (no email, no phone)",
        password="amber-thistle-compass-63",
        answers=(("first_car", "Volvo"), ("childhood_street", "Elm Street"), ("mother_maiden", "Garcia")),
    ),
    DemoEmployee(
        "E1005", "ekowalski", "Eva Kowalski", "nothing on file: handed to live support",
        password="marble-cactus-ferry-29",
    ),
    DemoEmployee(
        "E1006", "fmartin", "Felix Martin", "locked account (email and SMS on file): unlock or reset",
        email="felix.martin@example.com", phone="+12025550106", password="indigo-walrus-bridge-54",
        answers=(("favourite_teacher", "Henderson"), ("first_job_city", "Porto"), ("first_pet", "Mittens")),
        locked=True,
    ),
)  # fmt: skip


def load_demo_data(directory: SqlDirectory, answers: AnswerStore) -> list[DemoEmployee]:
    """Create or refresh the demo employees; safe to run again (it also re-locks the locked one)."""
    for employee in DEMO_EMPLOYEES:
        directory.upsert(
            EmployeeRecord(
                employee_id=employee.employee_id,
                username=employee.username,
                full_name=employee.full_name,
                email=employee.email,
                phone=employee.phone,
                password=employee.password,
            )
        )
        account = directory.find(employee.employee_id)
        if account is None:  # pragma: no cover - upsert just wrote it
            raise RuntimeError(f"demo employee {employee.employee_id} was not stored")
        answers.enrol(account.id, dict(employee.answers))
        directory.set_locked(account.id, employee.locked)
    return list(DEMO_EMPLOYEES)


def format_demo(employees: list[DemoEmployee]) -> str:
    """A printable sheet: who to type in for each case, and what to answer."""
    lines = ["Demo employees (public demo data; sign in with the employee ID or username):", ""]
    for e in employees:
        lines.append(f"{e.employee_id}  {e.username}  {e.full_name} — {e.case}")
        lines.append(f"    email: {e.email or '-'}   phone: {e.phone or '-'}   locked: {'yes' if e.locked else 'no'}")
        if e.password:
            lines.append(f"    current password: {e.password}")
        for question_id, answer in e.answers:
            question = find_question(question_id)
            lines.append(f"    {question.text if question else question_id}  ->  {answer}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
