"""The reports page in Chromium: an admin opens it from the console, every chart is drawn (its canvas has painted
pixels), the page passes axe with no violations and breaks no CSP rule; a console user without the role is
refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from core.support.access import grant_admin
from tests.browser.conftest import LiveServer
from tests.browser.console_steps import sign_in_agent
from tests.support.axe import assert_no_axe_violations
from tests.support.report_rows import seed_audit

CHARTS = ("chart-outcomes", "chart-methods", "chart-channels", "chart-reasons", "chart-failures", "chart-coverage")

# Painted pixels (alpha > 0) of a canvas: 0 on a blank canvas of any size.
_PAINTED = """id => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {painted, width: canvas.width, height: canvas.height};
}"""


def test_an_admin_reads_the_reports_with_charts_drawn(
    browser: Browser, live_server: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    seed_audit(live_server.core)
    console = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems: list[str] = []
    # Script errors and CSP refusals; a missing file shows as a response (the browser asks for /favicon.ico).
    console.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    console.on("response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    console.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_agent(console, live_server, "ada")
    expect(console.get_by_role("link", name="Reports")).to_have_count(0)  # not an admin yet
    assert grant_admin(live_server.core.database, live_server.core.clock, "ada")
    console.reload()
    console.get_by_role("link", name="Reports").click()
    expect(console.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(console.locator("body[data-charts-ready='true']")).to_have_count(1)

    for chart in CHARTS:
        drawn = console.evaluate(_PAINTED, chart)
        assert drawn["width"] > 0 and drawn["painted"] > 0, (chart, drawn)
    console.evaluate("() => { const c = document.createElement('canvas'); c.id = 'blank'; document.body.append(c); }")
    assert console.evaluate(_PAINTED, "blank")["painted"] == 0  # the check above tells a blank canvas apart
    console.evaluate("() => document.getElementById('blank').remove()")
    expect(console.locator("#started")).to_have_text("9")  # the last 30 days at first
    expect(console.locator("#containment")).to_have_text("56%")
    expect(console.locator("#table-reasons")).to_contain_text("no verification method on file")
    shot(console, "reports-30-days")
    assert_no_axe_violations(console)

    console.get_by_role("link", name="last 7 days").click()
    expect(console.get_by_role("link", name="last 7 days")).to_have_attribute("aria-current", "page")
    expect(console.locator("#started")).to_have_text("8")
    expect(console.locator("#containment")).to_have_text("50%")
    expect(console.locator("body[data-charts-ready='true']")).to_have_count(1)
    shot(console, "reports-7-days")
    assert_no_axe_violations(console)

    console.get_by_role("link", name="Who? (audited)").click()
    expect(console.get_by_role("heading", name="People who needed help more than twice")).to_be_visible()
    expect(console.locator("#people tbody tr")).to_have_count(2)
    assert_no_axe_violations(console)
    assert problems == []  # no script error, no CSP refusal (inline script or style)


def test_a_console_user_without_the_admin_role_is_refused(browser: Browser, live_server: LiveServer) -> None:
    console = browser.new_context().new_page()
    sign_in_agent(console, live_server, "sam")
    response = console.goto(live_server.url + "/agent/reports")
    assert response is not None and response.status == 403
