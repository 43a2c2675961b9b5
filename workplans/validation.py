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
    end_date=None,
    sdg_targets=None,
    cooperation_outcome=None,
    output=None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if output is not None and workplan is not None and output.workplan_id != workplan.pk:
        errors["output"] = [_("This output belongs to another workplan.")]
    if sdg_targets is not None and len(list(sdg_targets)) > MAX_SDG_TARGETS:
        errors["sdg_targets"] = [
            _("Choose at most %(max)s SDG targets, as UN INFO allows; %(count)s are chosen.")
            % {"max": MAX_SDG_TARGETS, "count": len(list(sdg_targets))}
        ]
    if cooperation_outcome is not None and workplan is not None:
        framework = cooperation_outcome.framework
        if framework.country_id != workplan.team.country_id:
            errors["cooperation_outcome"] = [_("This outcome belongs to another country's Cooperation Framework.")]
        elif not framework.start_year <= workplan.year <= framework.end_year:
            errors["cooperation_outcome"] = [
                _("This outcome's Cooperation Framework runs %(start)s–%(end)s, not in %(year)s.")
                % {"start": framework.start_year, "end": framework.end_year, "year": workplan.year}
            ]
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
    elif workplan and start_date and start_date < dt.date(workplan.year - EARLIEST_START, 1, 1):
        errors["start_date"] = [
            _("The activity must start in %(year)s or later.") % {"year": workplan.year - EARLIEST_START}
        ]
    if start_date and end_date and end_date < start_date:
        pass  # the model's own rule says so ("on or after the start date")
    elif workplan and end_date and end_date < dt.date(workplan.year, 1, 1):
        errors["end_date"] = [_("The activity must run into %(year)s at least.") % {"year": workplan.year}]
    elif workplan and end_date and end_date > dt.date(workplan.year + LATEST_END, 12, 31):
        errors["end_date"] = [
            _("The activity must end by %(year)s at the latest.") % {"year": workplan.year + LATEST_END}
        ]
    return errors


def output_problems(*, workplan, cooperation_outcome=None, national_framework=None, national_objective="") -> dict:
    """An output's links must be the team's country's, and running in the plan's year."""
    errors: dict[str, list[str]] = {}
    if cooperation_outcome is not None:
        framework = cooperation_outcome.framework
        if framework.country_id != workplan.team.country_id:
            errors["cooperation_outcome"] = [_("This outcome belongs to another country's Cooperation Framework.")]
        elif not framework.start_year <= workplan.year <= framework.end_year:
            errors["cooperation_outcome"] = [
                _("This outcome's Cooperation Framework runs %(start)s–%(end)s, not in %(year)s.")
                % {"start": framework.start_year, "end": framework.end_year, "year": workplan.year}
            ]
    if national_framework is not None and national_framework.country_id != workplan.team.country_id:
        errors["national_framework"] = [_("This framework is another country's.")]
    if national_objective and national_framework is None:
        errors["national_objective"] = [_("Name the national framework this objective belongs to.")]
    return errors


# UN INFO, where joint workplans are published, takes at most ten SDG targets per activity.
MAX_SDG_TARGETS = 10

# A year's plan holds work started up to a year before and running at most five years on.
EARLIEST_START, LATEST_END = 1, 5
