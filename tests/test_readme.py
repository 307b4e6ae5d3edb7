"""The README says what the Makefile does, and links only to what the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# How the README names each tool a Makefile recipe runs.
NAMES = {"ruff": "ruff", "mypy": "mypy", "lint-imports": "import-linter", "pytest": "pytest"}


def recipe_tools(target: str) -> list[str]:
    """The tools `make <target>` runs, in order: its prerequisites' recipes first, as make runs them."""
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)", makefile, re.MULTILINE)
    assert rule is not None, f"no {target} rule"
    tools = [tool for dep in rule.group(1).split() if not dep.startswith("$") for tool in recipe_tools(dep)]
    for line in rule.group(2).splitlines():
        tools += [name for tool, name in NAMES.items() if re.search(rf"(\s|/|-m ){re.escape(tool)}(\s|$)", line)]
    return tools


def in_order(text: str, words: list[str]) -> bool:
    positions = [text.find(word) for word in words]
    return -1 not in positions and positions == sorted(positions)


def test_what_make_test_runs_is_what_the_readme_says() -> None:
    tools = recipe_tools("test")
    assert tools == ["ruff", "mypy", "import-linter", "pytest"]
    first = next(line for line in README.splitlines() if line.startswith("make test"))
    tests_section = README.split("## Tests", 1)[1].split("\n\n", 2)[1]
    for said in (first, tests_section):
        assert in_order(said, tools), f"{said!r} does not name {tools} in order"


def test_make_run_takes_port_and_host_and_the_readme_says_so() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "RESETDESK_PORT='$(PORT)'" in makefile and "RESETDESK_HOST='$(HOST)'" in makefile
    assert "make run PORT=5601" in README and "make run HOST=0.0.0.0" in README


def test_links_stay_inside_the_repository() -> None:
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = document.read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "#")):
                continue
            path = (document.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT) and path.exists(), f"{document.name} links to {target}"
        assert "DESIGN.md" not in text, f"{document.name} refers to a design document outside the repository"
