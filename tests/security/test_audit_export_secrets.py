"""The audit export holds no secret: after the representative flows of test_secrets_scan.py (codes by email
and SMS, challenge questions, the reset page, hand-offs where an agent sends a code and a link), neither the
CSV nor the JSON Lines export contains a code, answer, password or reset token, right or wrong."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from flask import Flask

from app import Core
from core.reports.export import iter_audit_export
from tests.security.test_secrets_scan import live_server  # noqa: F401 (the same served app)
from tests.support import FakeClock
from tests.support.secret_flows import Flows
from tests.support.secret_scan import EMPLOYEES, find_secrets


def test_the_audit_export_of_every_flow_has_no_secret(
    live_server: tuple[Flask, Core, str],  # noqa: F811
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app, core, url = live_server
    flows = Flows(app, core, clock)
    flows.run_every_flow(url)
    assert len(flows.secrets.codes) == 7 and len(flows.secrets.tokens) == 4  # the flows really ran

    exports = {fmt: "".join(iter_audit_export(core.database, datetime(2026, 1, 1), fmt)) for fmt in ("csv", "jsonl")}
    csv_lines = exports["csv"].splitlines()
    assert len(csv_lines) > 30 and "Password reset" in exports["csv"] and "Account unlocked" in exports["csv"]
    assert any(e in exports["jsonl"] for e in EMPLOYEES)  # accounts are named, by employee ID
    assert find_secrets(flows.secrets, {f"{fmt} export": text for fmt, text in exports.items()}) == []
