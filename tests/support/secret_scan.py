"""The secrets scan of tests/security/test_secrets_scan.py: the employees whose passwords and answers are
looked for, what a flow sent, typed or issued (`Secrets`), every stored place a person, agent or operator
reads, and the search itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from app import Core
from core.storage.models import (
    AuditEvent,
    ChatMessage,
    Conversation,
    HandoffTicket,
    Recovery,
    TicketMessage,
)


@dataclass
class Employee:
    employee_id: str
    password: str
    answers: dict[str, str]
    email: str = ""
    phone: str = ""


EMPLOYEES = {
    e.employee_id: e
    for e in (
        Employee("E7001", "amber kettle drift 93 fjord",
                 {"first_pet": "Marzipan Wombat", "birth_city": "Quillborough", "first_school": "Velvet Orchard"}),
        Employee("E7002", "cobalt lantern 47 sleet orbit",
                 {"first_car": "Zephyrine", "childhood_street": "Hollowmere Lane", "mother_maiden": "Oakhurst"}),
        Employee("E7003", "granite pelican 18 mosaic hush",
                 {"first_pet": "Pumpernickel", "favourite_teacher": "Thistlewood", "first_job_city": "Brackenfjord"}),
        Employee("E7004", "umber violin 62 thimble crest",
                 {"first_pet": "Snorkelbean", "birth_city": "Wrenhaven", "first_school": "Ashgrove Primary"}),
        Employee("E7005", "indigo walrus 30 pebble vault",
                 {"first_pet": "Gobbledyfig", "birth_city": "Larkspur Quay", "first_school": "Emberfield"}),
    )
}  # fmt: skip


for number, employee in enumerate(EMPLOYEES.values()):
    employee.email = f"{employee.employee_id.lower()}@example.com"
    employee.phone = f"+4420794{number:05d}"


@dataclass
class Secrets:
    """Everything secret that a flow sent, typed or issued, by kind."""

    codes: set[str] = field(default_factory=set)
    answers: set[str] = field(default_factory=set)
    passwords: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)

    def needles(self) -> list[tuple[str, str]]:
        found = [("code", c) for c in self.codes] + [("answer", a) for a in self.answers]
        found += [("password", p) for p in self.passwords] + [("reset token", t) for t in self.tokens]
        return sorted(found)


def find_secrets(secrets: Secrets, places: dict[str, str]) -> list[str]:
    """Every (secret, place) where a secret's text occurs, case-insensitively."""
    hits = []
    for place, text in places.items():
        folded = text.casefold()
        for kind, value in secrets.needles():
            if value.casefold() in folded:
                hits.append(f"{kind} {value!r} found in {place}")
    return hits


def stored_places(core: Core) -> dict[str, str]:
    """Everything stored that a person, an agent or an operator reads, as text per row."""
    places: dict[str, str] = {}
    with core.database.transaction() as session:
        for c in session.scalars(select(Conversation)):
            places[f"conversation {c.channel}/{c.user_id}"] = json.dumps([c.state, c.slots, c.transcript])
        for t in session.scalars(select(HandoffTicket)):
            places[f"ticket {t.reference} transcript"] = json.dumps(t.transcript)
        for m in session.scalars(select(TicketMessage)):
            places[f"ticket message {m.id}"] = m.text
        for h in session.scalars(select(ChatMessage)):
            places[f"chat history {h.id}"] = json.dumps(h.payload)
        for a in session.scalars(select(AuditEvent)):
            places[f"audit {a.id} {a.event}"] = json.dumps([a.event, a.actor, a.detail])
        for r in session.scalars(select(Recovery)):
            places[f"recovery {r.id}"] = json.dumps([r.subject, r.verified_steps, r.drawn_questions, r.answer_results])
    return places
