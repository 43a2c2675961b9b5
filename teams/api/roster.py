"""A team's roster as the API gives it: built once here, for the JSON answer and the CSV.

`build_roster` turns one team of `roster_queryset()` (everything prefetched, so
no query) into the roster. `RosterSerializer` returns its `data` as the JSON of
a team, and declares the same shape for the OpenAPI schema; `roster_csv_rows`
flattens it into CSV rows. Neither derives a value of its own, so the JSON, the
CSV and the contact hiding cannot drift apart.

Plain dictionaries rather than nested serializers: running DRF's fields for
each value of ~60 rosters a page cost most of the request.
"""

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from core.api.serializers import iso_date, iso_datetime
from countries.api.serializers import sun_status
from teams.models import ConvenerTerm, Team
from teams.rules import view_team_contacts
from teams.selectors import running_term


class Roster(NamedTuple):
    data: dict
    """The JSON of the team, exactly as `RosterSerializer` declares it."""
    region_name: str | None
    """The name of the region `data["region"]` gives the slug of (the CSV shows names)."""


def build_roster(team: Team, user) -> Roster:
    """The roster of `team` as `user` may see it: e-mails and phones only where `view_team_contacts` allows."""
    visible = user is not None and view_team_contacts.test(user, team)
    terms = team.convener_terms.all()
    country = team.country
    region = team.region or (country.region if country else None)
    return Roster(
        {
            "id": team.pk,
            "name": team.name,
            "kind": team.kind,
            "country": country.iso_alpha3 if country else None,
            "country_name": country.name if country else None,
            "region": region.slug if region else None,
            "parent": team.parent_id,
            "is_active": team.is_active,
            "established_on": iso_date(team.established_on),
            "meeting_frequency": team.meeting_frequency,
            "works_with_resident_coordinator": team.works_with_resident_coordinator,
            "convener": _term(running_term(terms, ConvenerTerm.Role.CONVENER), visible),
            "co_convener": _term(running_term(terms, ConvenerTerm.Role.CO_CONVENER), visible),
            "convener_history": [_term(term, visible) for term in terms],
            "members": [
                {
                    "agency": member.agency.acronym,
                    "agency_name": member.agency.name,
                    "start_date": iso_date(member.start_date),
                    "end_date": iso_date(member.end_date),
                    "focal_points": [
                        {
                            "name": fp.person.name,
                            "title": fp.person.title,
                            "email": fp.person.email if visible else None,
                            "phone": fp.person.phone if visible else None,
                            "is_primary": fp.is_primary,
                            "start_date": iso_date(fp.start_date),
                            "end_date": iso_date(fp.end_date),
                        }
                        for fp in member.focal_points.all()
                    ],
                }
                for member in team.members.all()
            ],
            "platforms": [
                {
                    "name": link.platform.name,
                    "government_led": link.platform.government_led,
                    "is_sun_platform": link.platform.is_sun_platform,
                    "functioning": link.platform.functioning,
                    "chairing_ministry": link.platform.chairing_ministry,
                    "meeting_frequency": link.platform.meeting_frequency,
                    "since": iso_date(link.since),
                }
                for link in team.platform_links.all()
            ],
            "clusters": [cluster.name for cluster in team.clusters.all()],
            "action_areas": [area.code for area in team.action_areas.all()],
            "national_frameworks": [framework.name for framework in team.national_frameworks.all()],
            "sun": sun_status(country) if country else None,
            "contacts_visible": visible,
            "updated_at": iso_datetime(team.updated_at),
        },
        region.name if region else None,
    )


def _term(term: ConvenerTerm | None, visible: bool) -> dict | None:
    if term is None:
        return None
    person = term.person if term.person_id else None
    return {
        "role": term.role,
        "agency": term.agency.acronym if term.agency_id else None,
        "by_resident_coordinator": term.by_resident_coordinator,
        "person": str(person) if person else None,
        "email": person.email if person and visible else None,
        "phone": person.phone if person and visible else None,
        "start_date": iso_date(term.start_date),
        "end_date": iso_date(term.end_date),
    }


# --- CSV: one row per focal point (or per member agency without one) ------------------

CSV_HEADER = [
    "team_id",
    "team",
    "kind",
    "country",
    "region",
    "convener",
    "convener_person",
    "convener_email",
    "convener_phone",
    "co_convener",
    "co_convener_person",
    "convener_history",
    "agency",
    "agency_name",
    "member_since",
    "focal_point",
    "title",
    "email",
    "phone",
    "is_primary",
    "focal_point_since",
    "contacts_visible",
]


def roster_csv_rows(teams: Iterable[Team], user) -> Iterator[dict]:
    """The rosters of `teams` flattened into CSV rows (a generator, so the CSV streams)."""
    for team in teams:
        yield from _flatten(build_roster(team, user))


def _flatten(roster: Roster) -> Iterator[dict]:
    data = roster.data
    convener, co_convener = data["convener"] or {}, data["co_convener"] or {}
    team = {
        "team_id": data["id"],
        "team": data["name"],
        "kind": data["kind"],
        "country": data["country"] or "",
        "region": roster.region_name or "",
        "convener": _convened_by(data["convener"]),
        "convener_person": convener.get("person") or "",
        "convener_email": convener.get("email") or "",
        "convener_phone": convener.get("phone") or "",
        "co_convener": _convened_by(data["co_convener"]),
        "co_convener_person": co_convener.get("person") or "",
        "convener_history": "; ".join(_history_entry(term) for term in data["convener_history"]),
        "contacts_visible": "yes" if data["contacts_visible"] else "no",
    }
    for member in data["members"]:
        for fp in member["focal_points"] or [None]:
            yield {
                **team,
                "agency": member["agency"],
                "agency_name": member["agency_name"],
                "member_since": member["start_date"] or "",
                "focal_point": fp["name"] if fp else "",
                "title": fp["title"] if fp else "",
                "email": (fp["email"] if fp else None) or "",
                "phone": (fp["phone"] if fp else None) or "",
                "is_primary": ("yes" if fp["is_primary"] else "no") if fp else "",
                "focal_point_since": (fp["start_date"] if fp else None) or "",
            }


def _history_entry(term: dict) -> str:
    """ "convener WFP 2021-01-01 to 2024-05-31": one past or present term, as a cell can hold it."""
    span = f"{term['start_date'] or '?'} to {term['end_date'] or 'now'}"
    return f"{term['role']} {_convened_by(term)} {span}"


def _convened_by(term: dict | None) -> str:
    if term is None:
        return ""
    return term["agency"] or "Resident Coordinator"
