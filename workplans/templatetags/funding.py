"""The dashboard's funding section: the gap by country, action area and lead agency, and joint
proposals over time (workplans.funding_selectors), computed once per data version and language."""

from django import template
from django.utils.translation import gettext as _

from core import versions

from ..funding_selectors import funding_gap_by, proposals_over_time
from ..models import JointProposal

register = template.Library()
SHOWN = 10  # the largest gaps of each list; the reports have them all


def dashboard_funding_data(year: int) -> dict:
    def compute():
        def top(group, label=str):
            rows = funding_gap_by(year, group)
            return [{**row, "name": label(row["group"]) if row["group"] else _("Unassigned")} for row in rows][:SHOWN]

        return {
            "by_country": top("country"),
            "by_area": top("action_area", _),
            "by_agency": top("lead_agency"),
            "proposals": [
                {**row, "status_label": str(JointProposal.Status(row["status"]).label)} for row in proposals_over_time()
            ],
        }

    return versions.cached(f"funding-{year}", (versions.TEAMS, versions.WORKPLANS), compute)


@register.inclusion_tag("workplans/_dashboard_funding.html", takes_context=True)
def dashboard_funding(context, year: int):
    return {"request": context["request"], "year": year, **dashboard_funding_data(year)}
