"""Fixtures: a migrated database (SQLite always, PostgreSQL when RESETDESK_TEST_POSTGRES_URL is set),
a fake clock, cheap settings, and on them `core` (the Core), `app` (its Flask app) and `client` (a test client);
`make_core` and `make_app` build them with settings overridden. A module that needs its Core prepared overrides
`core`, and `app` and `client` follow."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import Core, build_core, create_app
from core.storage.db import Database
from core.storage.models import Base
from tests.support import FakeClock, make_settings, migrated_sqlite
from tests.support.cli import Cli

pytest_plugins = ["tests.fakes.smtp_server", "tests.fakes.twilio_api", "tests.support.chromium"]

POSTGRES_URL = os.environ.get("RESETDESK_TEST_POSTGRES_URL")
SKIP_POSTGRES = "set RESETDESK_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run on it"


@pytest.fixture(autouse=True)
def _no_resetdesk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their own settings; the developer's RESETDESK_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("RESETDESK_") and name != "RESETDESK_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[Database]:
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    database = Database(POSTGRES_URL)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.migrate()
    yield database
    database.dispose()


def _empty_tables(database: Database) -> None:
    with database.engine.begin() as connection:
        names = ", ".join(table.name for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@contextmanager
def empty_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of `kind`: a fresh SQLite file, or the shared PostgreSQL test database emptied
    (skipped when it is not configured). For a fixture whose params mix databases with something else."""
    if kind == "postgresql":
        database = request.getfixturevalue("_postgres_database")
        _empty_tables(database)
        yield database
        return
    with migrated_sqlite(tmp_path / "resetdesk.db") as database:
        yield database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a fresh SQLite file, or the shared PostgreSQL test database emptied."""
    with empty_database(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    return make_settings()


CoreFactory = Callable[..., Core]


@pytest.fixture
def make_core(database: Database, clock: FakeClock) -> Iterator[CoreFactory]:
    built: list[Core] = []

    def factory(**overrides: Any) -> Core:
        core = build_core(make_settings(database_url=database.url, **overrides), clock=clock, migrate=False)
        built.append(core)
        return core

    yield factory
    for core in built:
        core.database.dispose()


@pytest.fixture
def core(make_core: CoreFactory) -> Core:
    return make_core()


@pytest.fixture
def app(core: Core) -> Flask:
    """The web app on `core`, in testing mode."""
    return _testing_app(core)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


AppFactory = Callable[..., tuple[Flask, Core]]


@pytest.fixture
def make_app(make_core: CoreFactory) -> AppFactory:
    """For a test that needs settings overridden: `app, core = make_app(**overrides)`."""

    def factory(**overrides: Any) -> tuple[Flask, Core]:
        core = make_core(**overrides)
        return _testing_app(core), core

    return factory


def _testing_app(core: Core) -> Flask:
    app = create_app(core=core)
    app.testing = True
    return app


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`python app.py ...` in a subprocess against its own SQLite file (tests/test_cli_*.py)."""
    return Cli(tmp_path)
