"""Above core, collaborators get the numbers they need, never the settings object: no module in channels/,
bot/ or dialogs/ reads an attribute called `settings` or imports core.settings. Only app.py and cli/ do."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE_CORE = ("channels", "bot", "dialogs")


def settings_reads(source: str) -> list[int]:
    """Lines that read `<anything>.settings` or import core.settings (the Settings object or its loader)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source)) if _reads_settings(node))


def _reads_settings(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "settings"
    if isinstance(node, ast.ImportFrom):
        return node.module == "core.settings"
    if isinstance(node, ast.Import):
        return any(alias.name == "core.settings" for alias in node.names)
    return False


@pytest.mark.parametrize(
    "source",
    [
        "minutes = self.service.settings.code_ttl_seconds // 60",
        "from core.settings import Settings",
        "import core.settings",
        "def f(service):\n    return service.settings",
    ],
)
def test_the_check_finds_a_settings_read(source: str) -> None:
    assert settings_reads(source) != []


def test_the_check_lets_numbers_through() -> None:
    assert settings_reads("self._idle = idle_seconds\nminutes = self.service.terms.link_minutes") == []


def test_nothing_above_core_reads_the_settings() -> None:
    modules = [path for package in ABOVE_CORE for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(modules) > 30  # the walk found the packages
    found = {
        f"{path.relative_to(ROOT)}:{line}": path.read_text().splitlines()[line - 1].strip()
        for path in modules
        for line in settings_reads(path.read_text())
    }
    assert found == {}
