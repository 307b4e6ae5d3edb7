"""axe-core accessibility checks for the browser tests.

The axe-core script comes from the `axe-playwright-python` wheel (it ships `axe.min.js`; see
requirements.txt), read from disk and evaluated in the page through the DevTools protocol, which the pages'
strict CSP does not govern (a <script> tag would rightly be refused): nothing is downloaded at test time and the
page under test keeps its real CSP. We use only
the script, not that package's Python wrapper, so the assertion and its message are ours.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from playwright.sync_api import Page

__all__ = ["assert_no_axe_violations", "axe_violations"]


@cache
def _axe_script() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now (all rules axe runs by default, any impact).

    `context` is an optional CSS selector to check one part of the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    result: dict[str, Any] = page.evaluate(
        "async (context) => await window.axe.run(context ? document.querySelector(context) : document)",
        context,
    )
    return list(result["violations"])


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, context: str | None = None) -> None:
    """Fail, naming each rule and element, when axe-core finds any violation of any impact."""
    violations = axe_violations(page, context)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{_describe(violations)}"
