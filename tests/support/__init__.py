"""Helpers shared by tests.

The light ones are re-exported here (`from tests.support import FakeClock`); the heavier ones are imported
from their module: `chromium` (the shared Playwright browser, a pytest plugin), `slack` (a signed Slack
workspace), `slack_app` (the Slack app under test and its fixtures), `attacks` (what the security tests
share), `hostile_input` (what the hostile-input tests share), `races` (replay, race and fault helpers), `cli`
(the command line as a subprocess), `scale_out` (gunicorn and 200 people for the scale-out test).
"""

from tests.support.clock import FakeClock
from tests.support.delivery import deliver_queued
from tests.support.http import json_request
from tests.support.settings import make_settings, migrated_sqlite

__all__ = ["FakeClock", "deliver_queued", "json_request", "make_settings", "migrated_sqlite"]
