"""Smaller findings of issue 13 around the reset: a password with NUL in it (finding 7) and reset links minted
without end from a verified chat (finding 1: capped, 3 per verification)."""

from __future__ import annotations

import pytest

from app import Core
from core.types import CheckStatus, LinkLimitError, Method, Requester, ResetStatus
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.attacks import terminal_engine, terminal_view

STRONG = "copper meadow 62 lantern drift"


def _verified(core: Core) -> str:
    handle = core.recovery.start("E1001", Requester("web", "owner"))
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED
    return handle


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1f"])
def test_a_password_with_nul_or_another_control_character_is_refused_with_a_reason(core: Core, control: str) -> None:
    account = add_employee(core)
    token = core.recovery.issue_reset_link(_verified(core)).url.rsplit("/", 1)[1]
    sneaky = STRONG[:6] + control + STRONG[6:]  # a C library would save only "copper"
    outcome = core.recovery.complete_reset(token, sneaky, sneaky)
    assert outcome.status is ResetStatus.REJECTED
    assert any("control characters" in problem for problem in outcome.problems)
    assert core.directory.verify_password(account, OLD_PASSWORD)  # nothing changed, and the link still works
    assert core.recovery.complete_reset(token, STRONG, STRONG).status is ResetStatus.DONE


def test_reset_links_are_capped_at_three_per_verification(core: Core) -> None:
    add_employee(core)
    handle = _verified(core)
    for _ in range(3):
        core.recovery.issue_reset_link(handle)
    with pytest.raises(LinkLimitError):
        core.recovery.issue_reset_link(handle)
    # Verifying again is a new verification, with links of its own.
    assert core.recovery.issue_reset_link(_verified(core)).url


def test_a_chat_asking_for_new_links_gets_three_then_is_told_to_verify_again(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    engine = terminal_engine(core, clock)
    for text in ("I forgot my password", "E1001", "email"):
        terminal_view(engine, "holder", text)
    assert terminal_view(engine, "holder", last_outbox_code(core))[-1]["link"] is not None  # the first link
    for _ in range(2):
        assert terminal_view(engine, "holder", "new link")[-1]["link"] is not None
    refused = terminal_view(engine, "holder", "new link")
    assert all(reply["link"] is None for reply in refused)
    assert refused[-1]["text"].startswith("I can't send more links for this check.")
