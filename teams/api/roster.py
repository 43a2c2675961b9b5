"""A team's roster as the API gives it: built once here, for the JSON answer and the CSV.

`rosters(teams, user)` builds the rosters of a page (or a whole filtered list)
of teams from plain rows: the teams' own row with their country, regions and
SUN membership joined in (one query, which the caller may have paged), then
one query each for the convener terms, the members with their focal points,
the platforms, and the three name lists (clusters, action areas, national
frameworks, in one UNION ALL), each compiled by the ORM once per connection
(core.statements): at most five queries whatever the number of teams, and no
model instances (building them cost three quarters of a roster
request). `RosterSerializer` declares the same shape for the OpenAPI schema;
`roster_csv_rows` flattens the rosters into CSV rows. Neither derives a value
of its own, so the JSON, the CSV and the contact hiding cannot drift apart.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from accounts.rules import is_secretariat
from agencies.identifiers import iati_identifier
from core.api.serializers import iso_date, iso_datetime
from core.statements import STAND_IN, array_parameter, id_in, statement
from teams.models import ConvenerTerm, Team, TeamMember, TeamPlatform, team_roles


class Roster(NamedTuple):
    data: dict
    """The JSON of the team, exactly as `RosterSerializer` declares it."""
    region_name: str | None
    """The name of the region `data["region"]` gives the slug of (the CSV shows names)."""


# The columns of a team's own row: `teams.values(*TEAM_FIELDS)` is what `rosters` takes.
TEAM_FIELDS = (
    "id", "name", "kind", "parent_id", "is_active", "established_on", "meeting_frequency",
    "works_with_resident_coordinator", "updated_at", "country_id", "country__iso_alpha3", "country__iso_numeric",
    "country__name",
    "region__slug", "region__name", "country__region__slug", "country__region__name",
    "country__sun_membership__id", "country__sun_membership__joined_on",
    "country__sun_membership__government_focal_point__honorific",
    "country__sun_membership__government_focal_point__name",
)  # fmt: skip


def team_rows(teams: QuerySet[Team]) -> QuerySet:
    """`teams` (filtered and ordered) as the plain rows `rosters` builds from; page it as it is."""
    return teams.prefetch_related(None).select_related(None).values(*TEAM_FIELDS)


def contacts_visible_for(user):
    """A function team id -> whether `user` sees that team's e-mails and phones (teams.rules.view_team_contacts:
    the Secretariat everywhere, conveners and focal points in their own teams)."""
    if user is None or not user.is_authenticated:
        return lambda team_id: False
    if is_secretariat(user):
        return lambda team_id: True
    own = team_roles(user).team_ids
    return own.__contains__


def rosters(rows: Iterable[dict], user, *, lists: bool = True) -> list[Roster]:
    """The rosters of the teams in `rows` (from `team_rows`), in their order, as `user` may see them.

    `lists=False` leaves out what the CSV does not show (platforms, clusters, action areas,
    frameworks): two queries fewer.
    """
    rows = list(rows)
    ids = [row["id"] for row in rows]
    visible = contacts_visible_for(user)
    today = timezone.localdate()
    terms: dict[int, list[dict]] = defaultdict(list)
    members: dict[int, list[dict]] = defaultdict(list)
    platforms: dict[int, list[dict]] = defaultdict(list)
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    if ids:
        for term in _terms_of.dicts(ids):
            terms[term["team_id"]].append(term)
        by_member: dict[int, dict] = {}
        for row in _members_of.dicts(ids):
            member = by_member.get(row["id"])
            if member is None:
                member = by_member[row["id"]] = {"row": row, "focal_points": []}
                members[row["team_id"]].append(member)
            if row["focal_points__id"] is not None:
                member["focal_points"].append(row)
        if lists:
            for link in _platforms_of.dicts(ids):
                platforms[link["team_id"]].append(link)
            for team_id, name, value, _sort1, _sort2 in _name_lists.tuples(ids):
                names[(team_id, name)].append(value)

    result = []
    for row in rows:
        team_id = row["id"]
        shown = visible(team_id)
        team_terms = terms.get(team_id, [])
        region_slug, region_name = (
            (row["region__slug"], row["region__name"])
            if row["region__slug"] is not None
            else (row["country__region__slug"], row["country__region__name"])
        )
        data = {
            "id": team_id,
            "name": row["name"],
            "kind": row["kind"],
            "country": row["country__iso_alpha3"],
            "country_m49": row["country__iso_numeric"],
            "country_name": row["country__name"],
            "region": region_slug,
            "parent": row["parent_id"],
            "is_active": row["is_active"],
            "established_on": iso_date(row["established_on"]),
            "meeting_frequency": row["meeting_frequency"],
            "works_with_resident_coordinator": row["works_with_resident_coordinator"],
            "convener": _term(_running(team_terms, ConvenerTerm.Role.CONVENER, today), shown),
            "co_convener": _term(_running(team_terms, ConvenerTerm.Role.CO_CONVENER, today), shown),
            "convener_history": [_term(term, shown) for term in team_terms],
            "members": [
                {
                    "agency": member["row"]["agency__acronym"],
                    "agency_iati_identifier": iati_identifier(member["row"]["agency__acronym"]),
                    "agency_name": member["row"]["agency__name"],
                    "start_date": iso_date(member["row"]["start_date"]),
                    "end_date": iso_date(member["row"]["end_date"]),
                    "focal_points": [
                        {
                            "name": fp["focal_points__person__name"],
                            "title": fp["focal_points__person__title"],
                            "email": fp["focal_points__person__email"] if shown else None,
                            "phone": fp["focal_points__person__phone"] if shown else None,
                            "is_primary": fp["focal_points__is_primary"],
                            "start_date": iso_date(fp["focal_points__start_date"]),
                            "end_date": iso_date(fp["focal_points__end_date"]),
                        }
                        for fp in member["focal_points"]
                    ],
                }
                for member in members.get(team_id, [])
            ],
            "platforms": [
                {
                    "name": link["platform__name"],
                    "government_led": link["platform__government_led"],
                    "is_sun_platform": link["platform__is_sun_platform"],
                    "functioning": link["platform__functioning"],
                    "chairing_ministry": link["platform__chairing_ministry"],
                    "meeting_frequency": link["platform__meeting_frequency"],
                    "since": iso_date(link["since"]),
                }
                for link in platforms.get(team_id, [])
            ],
            "clusters": names.get((team_id, "clusters"), []),
            "action_areas": names.get((team_id, "action_areas"), []),
            "national_frameworks": names.get((team_id, "national_frameworks"), []),
            "sun": _sun(row) if row["country_id"] is not None else None,
            "contacts_visible": shown,
            "updated_at": iso_datetime(row["updated_at"]),
        }
        result.append(Roster(data, region_name))
    return result


# --- the statements, compiled once per connection (core.statements) ----------------------------------


@statement([STAND_IN], fixed_shape=array_parameter)
def _terms_of(ids):
    return (
        ConvenerTerm.objects.filter(id_in("team_id", ids))
        .order_by("-start_date", "-id")
        .values(
            "team_id", "role", "agency__acronym", "by_resident_coordinator", "person_id", "person__honorific",
            "person__name", "person__email", "person__phone", "start_date", "end_date",
        )
    )  # fmt: skip


@statement([STAND_IN], fixed_shape=array_parameter)
def _members_of(ids):
    return (
        TeamMember.objects.filter(id_in("team_id", ids))
        .order_by("team_id", "agency__acronym", "id", "-focal_points__is_primary", "focal_points__person__name")
        .values(
            "id", "team_id", "agency__acronym", "agency__name", "start_date", "end_date", "focal_points__id",
            "focal_points__person__name", "focal_points__person__title", "focal_points__person__email",
            "focal_points__person__phone", "focal_points__is_primary", "focal_points__start_date",
            "focal_points__end_date",
        )
    )  # fmt: skip


@statement([STAND_IN], fixed_shape=array_parameter)
def _platforms_of(ids):
    return (
        TeamPlatform.objects.filter(id_in("team_id", ids))
        .order_by("id")
        .values(
            "team_id", "platform__name", "platform__government_led", "platform__is_sun_platform",
            "platform__functioning", "platform__chairing_ministry", "platform__meeting_frequency", "since",
        )
    )  # fmt: skip


@statement([STAND_IN], fixed_shape=array_parameter)
def _name_lists(ids):
    """(team id, list, name, sort keys) of the teams' clusters, action areas (codes) and national frameworks,
    each list in its model's order (cluster name; area name; framework country and name): one UNION ALL."""
    text = CharField()

    def part(field, list_name, item, sort1, sort2):
        through = Team._meta.get_field(field).remote_field.through
        return (
            through.objects.filter(id_in("team_id", ids))
            .annotate(list_name=Value(list_name, output_field=text), item=F(item), sort1=F(sort1), sort2=sort2)
            .values_list("team_id", "list_name", "item", "sort1", "sort2")
        )

    empty = Value("", output_field=text)
    return part("clusters", "clusters", "humanitariancluster__name", "humanitariancluster__name", empty).union(
        part("action_areas", "action_areas", "actionarea__code", "actionarea__name", empty),
        part(
            "national_frameworks", "national_frameworks", "nationalframework__name",
            "nationalframework__country__name", F("nationalframework__name"),
        ),
        all=True,
    ).order_by("team_id", "list_name", "sort1", "sort2")  # fmt: skip


def _running(terms: list[dict], role: str, today) -> dict | None:
    """The running term in `role` (terms newest first), as teams.selectors.running_term picks it."""
    return next(
        (
            t
            for t in terms
            if t["role"] == role
            and (t["start_date"] is None or t["start_date"] <= today)
            and (t["end_date"] is None or t["end_date"] >= today)
        ),
        None,
    )


def _person(honorific: str | None, name: str | None) -> str | None:
    """str(Person): honorific and name."""
    return None if name is None else f"{honorific} {name}".strip()


def _sun(row: dict) -> dict:
    """countries.api.serializers.sun_status, from the team's row."""
    if row["country__sun_membership__id"] is None:
        return {"member": False, "joined_on": None, "government_focal_point": None}
    return {
        "member": True,
        "joined_on": iso_date(row["country__sun_membership__joined_on"]),
        "government_focal_point": _person(
            row["country__sun_membership__government_focal_point__honorific"],
            row["country__sun_membership__government_focal_point__name"],
        ),
    }


def _term(term: dict | None, visible: bool) -> dict | None:
    if term is None:
        return None
    has_person = term["person_id"] is not None
    return {
        "role": term["role"],
        "agency": term["agency__acronym"],
        "by_resident_coordinator": term["by_resident_coordinator"],
        "person": _person(term["person__honorific"], term["person__name"]) if has_person else None,
        "email": term["person__email"] if has_person and visible else None,
        "phone": term["person__phone"] if has_person and visible else None,
        "start_date": iso_date(term["start_date"]),
        "end_date": iso_date(term["end_date"]),
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


def roster_csv_rows(teams: QuerySet[Team], user) -> Iterator[dict]:
    """The rosters of `teams` (filtered and ordered) flattened into CSV rows: three queries."""
    for roster in rosters(team_rows(teams), user, lists=False):
        yield from _flatten(roster)


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
