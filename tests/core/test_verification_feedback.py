"""What the recovery service tells a person about their verification: where a code went (masked, with an equally
plausible decoy for identifiers that match nobody), whether a code sent a moment ago can still be typed, and when
paused self-service starts again."""

from __future__ import annotations

import re
from datetime import timedelta

from app import Core
from core.directory.port import Account
from core.recovery.destinations import Destinations, mask_email, phone_ending
from core.secrets.hashing import KeyedHasher
from core.types import Method, Requester, SendStatus
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee, last_outbox_code
from tests.support import FakeClock

WEB = Requester("web", "u1")
EMAIL_SHAPE = re.compile(r"^[a-z0-9]•••@[a-z0-9.-]+$")
PHONE_SHAPE = re.compile(r"^\d\d$")


def _sent_to(core: Core, identifier: str, method: Method, requester: Requester = WEB) -> str | None:
    result = core.recovery.send_code(core.recovery.start(identifier, requester), method)
    assert result.status is SendStatus.SENT
    return result.destination


def test_a_known_account_is_told_its_masked_contacts(core: Core) -> None:
    add_employee(core, "E1001", email="Alex.Doe@corp.example", phone="+44 20 7946 0934")
    assert _sent_to(core, "E1001", Method.EMAIL) == "A•••@corp.example"
    assert _sent_to(core, "E1001", Method.SMS, Requester("web", "u2")) == "34"


def test_unknown_identifiers_get_a_decoy_of_the_same_shape_stable_and_different_per_identifier(core: Core) -> None:
    for n in range(3):  # the company's most common domain
        add_employee(core, f"E10{n}", email=f"p{n}@acme.example")
    add_employee(core, "E200", email="x@other.example")
    known = _sent_to(core, "E100", Method.EMAIL)
    assert known == "p•••@acme.example"
    decoys = {}
    for n, who in enumerate(("E9999", "j.doe", "nobody", "E9998", "x", "ghost")):
        first = _sent_to(core, who, Method.EMAIL, Requester("web", f"a{n}"))
        again = _sent_to(core, who.upper(), Method.EMAIL, Requester("web", f"b{n}"))  # casefolded: the same
        assert first == again, who
        assert first is not None and EMAIL_SHAPE.match(first) and first.endswith("•••@acme.example")
        phone = _sent_to(core, who, Method.SMS, Requester("web", f"c{n}"))
        assert phone is not None and PHONE_SHAPE.match(phone)
        decoys[who] = (first, phone)
    assert len(set(decoys.values())) > 1  # different identifiers, different decoys


def test_a_configured_decoy_domain_is_used(make_core: CoreFactory) -> None:
    core = make_core(code_decoy_email_domain="staff.example.org")
    add_employee(core, "E1001")
    decoy = _sent_to(core, "E9999", Method.EMAIL)
    assert decoy is not None and decoy.endswith("•••@staff.example.org")


def test_an_account_without_that_contact_gets_a_decoy_too(clock: FakeClock) -> None:
    destinations = Destinations(KeyedHasher(b"k" * 32), clock, public_url="https://reset.acme.example")
    account = Account(1, "E1", None, "A B", email=None, phone=None, locked=False)

    class _NoRows:  # no accounts table to count domains in: the public URL's domain is the fallback
        def scalars(self, _statement: object) -> list[str]:
            return []

    email = destinations.masked(_NoRows(), Method.EMAIL, account, "account:1")  # type: ignore[arg-type]
    phone = destinations.masked(_NoRows(), Method.SMS, account, "account:1")  # type: ignore[arg-type]
    assert EMAIL_SHAPE.match(email) and email.endswith("@acme.example")
    assert PHONE_SHAPE.match(phone)
    assert mask_email("b@x.example") == "b•••@x.example" and phone_ending("5") == "05"


def test_a_resend_too_soon_says_the_code_sent_a_moment_ago_still_works(core: Core, clock: FakeClock) -> None:
    add_employee(core, "E1001")
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    clock.advance(20)
    again = core.recovery.send_code(handle, Method.EMAIL)
    assert (again.status, again.retry_after, again.code_pending) == (SendStatus.TOO_SOON, 40, True)
    assert again.destination == "e•••@example.com"
    # Switching to SMS is not held up by the email's spacing; the SMS code replaces the email one.
    assert core.recovery.send_code(handle, Method.SMS).sent
    back = core.recovery.send_code(handle, Method.EMAIL)
    assert (back.status, back.code_pending, back.destination) == (SendStatus.TOO_SOON, False, None)
    assert core.recovery.verify_code(handle, last_outbox_code(core, "sms")).ok


def test_a_lock_says_when_it_ends(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(verification_max_failures=3, verification_window_seconds=3600)
    add_employee(core, "E1001")
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    wrong = "000000" if last_outbox_code(core) != "000000" else "111111"
    started = clock.now()
    for _ in range(3):
        core.recovery.verify_code(handle, wrong)
        clock.advance(60)
    options = core.recovery.options(handle)
    # Three failures at +0, +1 and +2 minutes: the lock ends when the first leaves the hour, at +60.
    assert options.locked and options.locked_until == started + timedelta(hours=1)
    assert options.locked_seconds == 57 * 60
    clock.advance(57 * 60)
    assert not core.recovery.options(handle).locked
