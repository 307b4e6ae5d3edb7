"""Through the web chat and the reset page, on a real slapd: a directory refusal is explained on the page, the link
still works, and with "must change" on the person is told and the directory requires the change."""

from __future__ import annotations

from app import create_app
from core.directory.ldap import PPOLICY_CONTROL, ppolicy_error
from core.types import ResetStatus
from tests.channels.conftest import ChatClient, csrf_of
from tests.core.conftest import last_outbox_code
from tests.directory.conftest import LdapCoreFactory, Talk, bind_as, can_bind
from tests.support import FakeClock
from tests.support.slapd import Slapd

FIRST = "maple river quietly 1987 lantern"
SECOND = "copper window gently 2044 harbour"


def test_refusal_on_the_reset_page_then_success_with_must_change(
    make_ldap_core: LdapCoreFactory, slapd_server: Slapd, clock: FakeClock
) -> None:
    core = make_ldap_core(ldap_force_change=True)
    token = Talk(core, "earlier-visit").reset_token("alan")
    assert core.recovery.complete_reset(token, FIRST, FIRST).status is ResetStatus.DONE
    clock.advance(minutes=2)

    app = create_app(core=core)
    app.testing = True
    client = app.test_client()
    chat = ChatClient(client)
    chat.say("I forgot my password")
    chat.say("alan")
    chat.say("email")
    link = chat.say(last_outbox_code(core))[-1]["link"]
    assert link is not None
    path = str(link["url"]).removeprefix(core.settings.public_url)
    page = client.get(path)
    if page.status_code in (301, 302, 303):  # the page may move the token out of the URL first
        path = page.headers["Location"]
        page = client.get(path)
    csrf = csrf_of(page.get_data(as_text=True))

    refused = client.post(path, data={"csrf_token": csrf, "password": FIRST, "confirmation": FIRST})
    assert refused.status_code == 422
    assert "one of your recent passwords" in refused.get_data(as_text=True)

    done = client.post(path, data={"csrf_token": csrf, "password": SECOND, "confirmation": SECOND})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "has been changed" in html
    assert "choose another new password the next time you sign in" in html
    assert chat.poll() and not can_bind(slapd_server, "alan", FIRST)
    connection = bind_as(slapd_server, "alan", SECOND, controls=[(PPOLICY_CONTROL, False, None)])
    assert connection.bound and ppolicy_error(connection.result["controls"][PPOLICY_CONTROL]["value"]) == 2
    connection.unbind()
