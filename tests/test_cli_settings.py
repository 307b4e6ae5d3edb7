"""The command line refuses a wrong setting: `app.py demo-data` and `app.py import-employees` stop before
touching the database and name the setting."""

from __future__ import annotations

import pytest

from tests.support.cli import CLEAN_ROWS, Cli


@pytest.mark.parametrize("command", ["demo-data", "import-employees"])
def test_a_wrong_setting_stops_the_command_and_is_named(cli: Cli, command: str) -> None:
    args = [command] if command == "demo-data" else [command, str(cli.write_csv("employees.csv", CLEAN_ROWS))]

    result = cli.run(*args, RESETDESK_POLICY="lenient")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "RESETDESK_POLICY" in result.stderr
    assert not cli.db_path.exists()  # stopped before touching the database
