"""The small ports core offers the layers above: the outbox as the demo page and terminal read it, the account
a channel may propose for a workspace email, and the terms the dialogs quote."""

from __future__ import annotations

from app import Core
from core.delivery.outbox import Outbox
from tests.core.conftest import add_employee
from tests.support import FakeClock


def test_the_outbox_lists_recent_first_and_new_ones_after_an_id(core: Core, clock: FakeClock) -> None:
    outbox = Outbox(core.database, clock)
    assert outbox.newest_id() == 0 and outbox.recent() == [] and outbox.after(0) == []
    for n in range(3):
        outbox.keep("email", f"p{n}@example.com", f"body {n}", subject=f"s{n}")
        clock.advance(1)
    assert [entry.recipient for entry in outbox.recent(2)] == ["p2@example.com", "p1@example.com"]
    first = outbox.after(0)[0]
    assert (first.kind, first.subject, first.body) == ("email", "s0", "body 0")
    newest = outbox.newest_id()
    assert [entry.body for entry in outbox.after(first.id)] == ["body 1", "body 2"] and outbox.after(newest) == []


def test_a_workspace_email_proposes_its_account_only_when_it_matches(core: Core) -> None:
    add_employee(core)  # e1001@example.com, username e1001user
    assert core.recovery.proposal_for_email("E1001@Example.com") == "e1001user"
    assert core.recovery.proposal_for_email("nobody@example.com") is None


def test_the_terms_follow_the_settings(make_core) -> None:  # type: ignore[no-untyped-def]
    core = make_core(code_digits=8, code_ttl_seconds=900, reset_token_ttl_seconds=1800)
    terms = core.recovery.terms
    assert (terms.code_digits, terms.code_minutes, terms.link_minutes) == (8, 15, 30)
