"""`app.py demo-data` end to end: run as a real process against a fresh SQLite file, checking its exit status,
exact output and what lands in the database."""

from __future__ import annotations

from core.directory.demo import DEMO_EMPLOYEES, format_demo
from tests.support.cli import Cli


def test_demo_data_prints_every_employee_and_case(cli: Cli) -> None:
    result = cli.run("demo-data")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(format_demo(list(DEMO_EMPLOYEES)) + "\n")
    assert "/agent  (demo agent 'demo-agent', password 'demo agent password')" in result.stdout
    assert cli.count("agents") == 1
    for employee_id in ("E1001", "E1002", "E1003", "E1004", "E1005", "E1006"):
        assert f"\n{employee_id}  " in result.stdout
    for e in DEMO_EMPLOYEES:
        assert f"{e.employee_id}  {e.username}  {e.full_name} — {e.case}\n" in result.stdout
    assert cli.employee_ids() == [e.employee_id for e in DEMO_EMPLOYEES]


def test_demo_data_twice_changes_nothing(cli: Cli) -> None:
    first = cli.run("demo-data")
    counts = {table: cli.count(table) for table in ("accounts", "challenge_answers", "password_history")}
    second = cli.run("demo-data")

    assert (first.returncode, second.returncode) == (0, 0)
    assert second.stdout == first.stdout
    assert counts == {"accounts": 6, "challenge_answers": 9, "password_history": 0}
    assert cli.count("agents") == 1
    assert {table: cli.count(table) for table in counts} == counts  # same password is not re-hashed


def test_demo_data_names_the_console_where_run_will_serve_it(cli: Cli) -> None:
    """`make run PORT=5601` gives both commands the port: the console printed is the one `run` serves."""
    assert "Support console: http://127.0.0.1:5601/agent " in cli.run("demo-data", RESETDESK_PORT="5601").stdout
    public = cli.run("demo-data", RESETDESK_PORT="5601", RESETDESK_PUBLIC_URL="https://desk.example.com")
    assert "Support console: https://desk.example.com/agent " in public.stdout  # a public URL that is set wins
