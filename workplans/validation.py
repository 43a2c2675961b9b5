"""Rules about an activity's places, frameworks and agencies that need more than one
field. The API serializer and the portal form both call this, so the two agree."""

import datetime as dt

from django.utils.translation import gettext as _


def activity_problems(
    *,
    workplan,
    is_national,
    subdivisions,
    frameworks,
    lead_agency,
    participating,
    start_date,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    country_id = workplan.team.country_id if workplan else None
    subdivisions = list(subdivisions or [])
    if is_national and subdivisions:
        errors["subdivisions"] = [_("A national activity names no provinces.")]
    elif is_national is False and not subdivisions:
        errors["subdivisions"] = [_("Name at least one province, or mark the activity as national.")]
    outside = [s.code for s in subdivisions if country_id and s.country_id != country_id]
    if outside:
        errors["subdivisions"] = [_("Not in this team's country: %(codes)s.") % {"codes": ", ".join(outside)}]
    foreign = [str(f.pk) for f in frameworks or [] if country_id and f.country_id != country_id]
    if foreign:
        errors["national_frameworks"] = [
            _("Not frameworks of this team's country: %(ids)s.") % {"ids": ", ".join(foreign)}
        ]
    if lead_agency and lead_agency in list(participating or []):
        errors["participating_agencies"] = [_("The lead agency is not also listed as participating.")]
    if workplan and start_date and start_date > dt.date(workplan.year, 12, 31):
        errors["start_date"] = [_("The activity must start during or before %(year)s.") % {"year": workplan.year}]
    return errors
