"""/agent/reports: for admins only (create-agent --admin), figures in tables and a JSON block for the charts,
the period chooser, and the CSV download of the audit trail."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta

from flask import Flask

from app import Core
from core.reports.export import COLUMNS
from core.support.access import grant_admin
from core.types import Requester
from tests.core.conftest import add_employee
from tests.support import FakeClock
from tests.support.agents import sign_in_with_totp
from tests.support.cli import ROOT, SECRET_KEY, Cli
from tests.support.report_rows import one_reset


def test_a_console_user_without_the_admin_role_gets_403_and_no_reports_link(app: Flask, core: Core) -> None:
    client, _, _, _ = sign_in_with_totp(app, core)
    assert "Reports" not in client.get("/agent").get_data(as_text=True)
    assert client.get("/agent/reports").status_code == 403
    assert client.get("/agent/reports/audit.csv?since=2026-01-01").status_code == 403


def test_signed_out_the_reports_send_to_the_sign_in(app: Flask) -> None:
    response = app.test_client().get("/agent/reports")
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/login")


def test_an_admin_sees_the_figures_as_text_and_as_chart_data(app: Flask, core: Core, clock: FakeClock) -> None:
    add_employee(core)
    one_reset(core, clock)
    client, _, agent, _ = sign_in_with_totp(app, core)
    assert grant_admin(core.database, core.clock, agent.username)
    queue = client.get("/agent").get_data(as_text=True)
    assert 'href="/agent/reports" id="nav-reports">Reports</a>' in queue
    page = client.get("/agent/reports?days=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'id="started">1<', html) and re.search(r'id="completed">1<', html)
    assert 'id="containment">100%<' in html and 'id="median">2 min 30 sec<' in html
    assert '<th scope="row">email code</th><td>1</td>' in html  # completions by method, as a table
    assert 'href="/agent/reports?days=7" aria-current="page"' in html
    since = (clock.now() - timedelta(days=7)).date().isoformat()
    assert f'href="/agent/reports/audit.csv?since={since}"' in html
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert block is not None
    charts = json.loads(block.group(1))
    assert charts["chart-methods"] == {"title": "Completions by method", "labels": ["email code"], "values": [1]}
    assert charts["chart-outcomes"]["values"] == [1, 0, 0, 0]
    assert charts["chart-coverage"]["labels"] == ["no way", "1 way", "2 ways", "3 or more ways"]
    assert "<script>" not in html  # the CSP forbids inline script: only the JSON data block


def test_only_the_offered_periods(app: Flask, core: Core) -> None:
    client, _, agent, _ = sign_in_with_totp(app, core)
    grant_admin(core.database, core.clock, agent.username)
    assert 'aria-current="page">last 30 days' in client.get("/agent/reports").get_data(as_text=True)
    assert client.get("/agent/reports?days=8").status_code == 400
    assert client.get("/agent/reports/audit.csv?since=yesterday").status_code == 400


def test_the_csv_download_streams_the_audit_export(app: Flask, core: Core, clock: FakeClock) -> None:
    add_employee(core)
    one_reset(core, clock)
    client, _, agent, _ = sign_in_with_totp(app, core)
    grant_admin(core.database, core.clock, agent.username)
    response = client.get(f"/agent/reports/audit.csv?since={clock.now().date().isoformat()}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == COLUMNS
    assert [row["event"] for row in rows if row["event"].startswith(("recovery.", "account."))] == [
        "recovery.started", "account.password_reset",
    ]  # fmt: skip
    old = client.get(f"/agent/reports/audit.csv?since={(clock.now() + timedelta(days=1)).date().isoformat()}")
    assert list(csv.DictReader(io.StringIO(old.get_data(as_text=True)))) == []  # nothing after `since`


def test_create_agent_admin_gives_the_role(cli: Cli) -> None:
    def create(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "RESETDESK_DATABASE_URL": cli.database_url, "RESETDESK_SECRET_KEY": SECRET_KEY}
        command = [sys.executable, "app.py", "create-agent", *args]
        password = "a long agent password\n"
        return subprocess.run(command, cwd=ROOT, env=env, text=True, input=password, capture_output=True, check=False)

    admin, plain = create("alex", "--admin"), create("blair")
    assert admin.returncode == 0 and "(admin: the reports page too)" in admin.stdout, admin.stderr
    assert plain.returncode == 0 and "admin" not in plain.stdout
    with closing(sqlite3.connect(cli.db_path)) as db:
        assert dict(db.execute("SELECT username, is_admin FROM agents").fetchall()) == {"alex": 1, "blair": 0}


def test_the_people_behind_the_repeat_figure_open_only_for_admins(app: Flask, core: Core) -> None:
    add_employee(core)
    for _ in range(3):
        core.recovery.start("E1001", Requester("web", "someone"))
    client, _, agent, _ = sign_in_with_totp(app, core)
    assert client.get("/agent/reports/people?days=7").status_code == 403
    grant_admin(core.database, core.clock, agent.username)
    page = client.get("/agent/reports?days=7").get_data(as_text=True)
    assert 'id="repeat">1<' in page and "E1001" not in page  # counted on the page, named only on request
    assert 'href="/agent/reports/people?days=7"' in page
    people = client.get("/agent/reports/people?days=7").get_data(as_text=True)
    assert '<th scope="row">E1001</th><td>3</td>' in people
