"""The UN INFO sheet and the IATI XML as report kinds: the builders exchange registers with reports
(reports.file_kinds) when the app is ready, so a report run of these kinds (requested on the reports
page or through /api/v1/reports/) is built by the report job like any other."""

from django.utils.translation import gettext as _

from reports.document import CannotRender
from workplans.models import Workplan

from . import iati, uninfo


def workplan_of(team, year: int) -> Workplan:
    workplan = Workplan.objects.select_related("team__country").filter(team=team, year=year).first()
    if workplan is None:
        raise CannotRender(
            _("%(team)s has no workplan for %(year)s: there is nothing to export.")
            % {"team": team.localized_name(), "year": year}
        )
    return workplan


def un_info_file(*, team, year: int) -> bytes:
    return uninfo.workbook(workplan_of(team, year))


def iati_file(*, team, year: int) -> bytes:
    return iati.build(workplan_of(team, year))


def register() -> None:
    from reports import file_kinds

    file_kinds.register("un_info", format="xlsx", build=un_info_file)
    file_kinds.register("iati", format="xml", build=iati_file)
