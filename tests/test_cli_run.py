"""`python app.py run`: without RESETDESK_PUBLIC_URL, the links it builds point where it actually serves.

The real command in a subprocess on a free port, a recovery in its web chat over HTTP, and the reset link
then opened on that port."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import Core, build_core, create_app, wiring
from tests.core.conftest import add_employee
from tests.support import make_settings
from tests.support.served import free_port, link_by_web_chat, served_app
from tests.support.web_client import WebClient

NEW_PASSWORD = "served port links work 4 me"


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Core]:
    core = build_core(make_settings(database_url=f"sqlite:///{tmp_path / 'run.db'}"))
    add_employee(core)
    yield core
    core.database.dispose()


@pytest.mark.slow
def test_links_point_at_the_port_given_to_run(shared: Core, tmp_path: Path) -> None:
    port = free_port()
    with served_app(shared, tmp_path / "run.log", "--port", str(port)) as served:
        link = link_by_web_chat(shared, served.url)
        assert urlsplit(link)[:2] == ("http", f"127.0.0.1:{port}"), link
        done = WebClient(served.url).set_password(link, NEW_PASSWORD)  # the link works as given
    assert done.status == 200 and "Your password has been changed" in done.text
    assert shared.directory.verify_password(shared.directory.find("E1001").id, NEW_PASSWORD)  # type: ignore[union-attr]


@pytest.mark.slow
def test_port_from_the_environment_and_port_zero(shared: Core, tmp_path: Path) -> None:
    """RESETDESK_PORT=0 (as `make run PORT=0` sets it): the OS picks a port, run announces it, links use it."""
    with served_app(shared, tmp_path / "run.log", RESETDESK_PORT="0") as served:
        port = urlsplit(served.url).port
        assert port not in (None, 0, 5000), served.output()
        link = link_by_web_chat(shared, served.url)
    assert urlsplit(link).netloc == f"127.0.0.1:{port}", link


@pytest.mark.slow
def test_a_public_url_that_is_set_wins(shared: Core, tmp_path: Path) -> None:
    public = "http://localhost:8123"  # e.g. the address a proxy in front of ResetDesk answers on
    with served_app(shared, tmp_path / "run.log", "--port", "0", RESETDESK_PUBLIC_URL=public) as served:
        link = link_by_web_chat(shared, served.url)
    assert link.startswith(public + "/reset/"), link


@pytest.mark.parametrize("public_url", [None, "https://reset.example.com"])
def test_a_wsgi_server_without_a_public_url_is_warned(
    public_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Under gunicorn (`app:create_app()`) the served address is unknown and a Host header is the client's
    to choose, so links come from RESETDESK_PUBLIC_URL alone; without it, start-up says so."""
    monkeypatch.setenv("RESETDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.db'}")
    monkeypatch.setenv("RESETDESK_SECRET_KEY", "wsgi-test-secret-key-not-for-production")
    if public_url:
        monkeypatch.setenv("RESETDESK_PUBLIC_URL", public_url)
    caplog.set_level(logging.WARNING)
    app = create_app()
    warned = [r.getMessage() for r in caplog.records if "RESETDESK_PUBLIC_URL is not set" in r.getMessage()]
    assert warned == (
        [] if public_url else ["RESETDESK_PUBLIC_URL is not set: links point at http://127.0.0.1:5000; set it (https)"]
    )
    wiring(app).core.database.dispose()
