"""The reports page, /agent/reports, for console users with the admin role: how recovery is working over 7, 30
or 90 days (figures from core/reports, drawn by Chart.js from a JSON data block, and the same in tables), and a
CSV download of the audit trail (core/reports/export.py, streamed)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from channels.web.agent_console_guard import ConsoleGuard
from core.i18n import N_, gettext, short_duration
from core.reports.figures import Figures, Reports
from core.reports.labels import PERIODS
from core.support.desk import AgentInfo

__all__ = ["register_report_views"]

_DEFAULT_DAYS = 30
# Coverage.by_count's buckets, as msgids (read with gettext where shown)
_COVERAGE = {"0": N_("no way"), "1": N_("1 way"), "2": N_("2 ways"), "3+": N_("3 or more ways")}


def register_report_views(console: Blueprint, guard: ConsoleGuard, reports: Reports) -> None:
    @console.get("/reports")
    @guard.signed_in
    def reports_page(agent: AgentInfo) -> str:
        _admin_only(agent)
        days = _days(request.args.get("days"))
        figures = reports.figures(days)
        return render_template(
            "agent_reports.html", agent=agent, figures=figures, periods=PERIODS, charts=chart_data(figures),
            since=figures.since.date().isoformat(), coverage_buckets=_COVERAGE, duration=duration,
        )  # fmt: skip

    @console.get("/reports/people")
    @guard.signed_in
    def repeat_people(agent: AgentInfo) -> str:
        """Who needed help more than twice: employee IDs, shown only when an admin opens this (audited)."""
        _admin_only(agent)
        days = _days(request.args.get("days"))
        people = reports.repeat_people(days, viewer=f"agent:{agent.username}")
        return render_template("agent_reports_people.html", agent=agent, days=days, people=people)

    @console.get("/reports/audit.csv")
    @guard.signed_in
    def audit_csv(agent: AgentInfo) -> Response:
        _admin_only(agent)
        since = _since(request.args.get("since"))
        from core.reports.export import iter_audit_export  # h-export's streaming export

        rows: Iterator[str] = iter_audit_export(reports.database, since, "csv")
        name = f"resetdesk-audit-since-{since.date().isoformat()}.csv"
        return Response(
            stream_with_context(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _admin_only(agent: AgentInfo) -> None:
    if not agent.admin:
        abort(403, description=gettext("The reports are for admins (create-agent --admin)."))


def _days(raw: str | None) -> int:
    if raw is None:
        return _DEFAULT_DAYS
    if not raw.isdigit() or int(raw) not in PERIODS:
        periods = ", ".join(map(str, PERIODS))
        abort(400, description=gettext("Choose a period of %(periods)s days.") % {"periods": periods})
    return int(raw)


def _since(raw: str | None) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(raw or ""), time())
    except ValueError:
        abort(400, description=gettext("since must be a date, YYYY-MM-DD."))


def duration(seconds: int | None) -> str:
    if seconds is None:
        return gettext("no resets yet")
    return short_duration(seconds)


def _series(title: str, values: Mapping[str, int]) -> dict[str, Any]:
    """A chart's title and labels in the reader's language (labels already in words pass through unchanged)."""
    return {"title": gettext(title), "labels": [gettext(label) for label in values], "values": list(values.values())}


def chart_data(figures: Figures) -> dict[str, dict[str, Any]]:
    """What each chart draws, by the id of its canvas; the page's tables show the same numbers."""
    o = figures.outcomes
    outcomes = {N_("completed on their own"): o.completed, N_("handed off"): o.handed_off,
                N_("abandoned"): o.abandoned, N_("unfinished"): o.unfinished}  # fmt: skip
    charts = {
        "chart-outcomes": _series(N_("Recoveries started, by outcome"), outcomes),
        "chart-methods": _series(N_("Completions by method"), figures.completions_by_method),
        "chart-channels": _series(N_("Completions by channel"), figures.completions_by_channel),
        "chart-reasons": _series(N_("Hand-offs by reason"), figures.handoff_reasons),
        "chart-failures": _series(N_("Failed verifications by method"), figures.failures_by_method),
    }
    if figures.coverage is not None:
        by_count = {label: figures.coverage.by_count.get(n, 0) for n, label in _COVERAGE.items()}
        charts["chart-coverage"] = _series(N_("Employees by number of ways to verify"), by_count)
    return charts
