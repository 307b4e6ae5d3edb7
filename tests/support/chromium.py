"""One Playwright and one headless Chromium for the whole session (a plugin: see tests/conftest.py).

Playwright's sync API allows one running instance per thread, so every browser test, wherever it lives,
shares these two fixtures. Debian's Chromium is used as installed (`apt-get install -y chromium`): never
`playwright install`, which downloads a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "browser", "playwright"]

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip("install Debian's chromium: apt-get install -y chromium")
    runner = sync_playwright().start()
    try:
        yield runner
    finally:
        runner.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
