"""The four reports, as format-independent documents (reports/document.py).

Each builder returns a Report whose sections are computed only when a renderer
asks for them, one after the other; the rows of long tables stream from the
database. Labels go through gettext: the job renders in the requester's language.

One module per report, each table a small spec (columns and the cells of one
source row, shared.TableSpec) declared beside the function making its section:

- overview.py: the global coordination overview and the regional report;
- team.py: the country report of one team;
- data_quality.py: the data-quality alerts, and the findings sections every report ends with;
- shared.py: the run's dates (Context), TableSpec, labels, money columns and charts.
"""

from __future__ import annotations

from teams.rules import view_team_contacts

from ..document import Report
from ..models import ReportRun
from ..selectors import Scope
from .data_quality import data_quality_report
from .overview import overview_report
from .shared import Context, context_for
from .team import team_report

__all__ = ["Context", "build", "context_for"]


def build(run: ReportRun) -> Report:
    context = context_for(run)
    if run.kind == ReportRun.Kind.GLOBAL:
        return overview_report(context, Scope(), None)
    if run.kind == ReportRun.Kind.REGIONAL:
        return overview_report(context, Scope.of_region(run.region), run.region)
    if run.kind == ReportRun.Kind.COUNTRY:
        include_contacts = run.requested_by is None or view_team_contacts.test(run.requested_by, run.team)
        return team_report(context, run.team, include_contacts)
    if run.kind == ReportRun.Kind.DATA_QUALITY:
        return data_quality_report(context, Scope())
    raise ValueError(f"Unknown report kind {run.kind!r}")
