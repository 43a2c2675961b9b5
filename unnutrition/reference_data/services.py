"""Load the mechanism's reference data. Running it again changes nothing.

Each row is looked up by its natural key and only saved when a value differs,
so a second run writes no row and no history entry.
"""

from __future__ import annotations

import csv
import importlib.resources
from collections import Counter
from decimal import Decimal
from functools import lru_cache

import pycountry
import yaml
from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, ChairTerm, SteeringCommitteeSeat
from core import versions
from countries.models import (
    Country,
    Person,
    Region,
    Subdivision,
    SunMembership,
    SunNetwork,
    SunNetworkPresence,
    SunRegionalHub,
)
from results.models import StandardIndicator
from teams.models import ConvenerTerm, HumanitarianCluster, Platform, Team, TeamMember, TeamPlatform, TermsOfReference
from workplans.models import ActionArea, NationalFramework, ResourceMobilised, SdgGoal, SdgTarget

from . import funding, mechanism, sdg, sun

DATA = importlib.resources.files(__package__)


def agency_names(acronym: str) -> dict[str, str]:
    """An agency's official names in the other UN languages (agency_names.yml, the Chinese
    from the UN Nutrition brief in mechanism.py)."""
    names = dict(_agency_names().get(acronym) or {})
    names["zh-hans"] = mechanism.AGENCY_NAMES_ZH[acronym]
    return dict(sorted(names.items()))


@lru_cache(maxsize=1)
def _agency_names() -> dict:
    with (DATA / "agency_names.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def sdg_translations() -> tuple[dict[int, dict[str, str]], dict[str, dict[str, str]]]:
    """The official SDG goal titles and target texts in the other UN languages, from the data files
    in sdg_translations/ (one per language): ({1: {"fr": ...}}, {"1.1": {"fr": ...}})."""
    goals: dict[int, dict[str, str]] = {}
    targets: dict[str, dict[str, str]] = {}
    for path in sorted((DATA / "sdg_translations").iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yml"):
            continue
        language = path.name.removesuffix(".yml")
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for number, title in data["goals"].items():
            goals.setdefault(int(number), {})[language] = " ".join(title.split())
        for code, text in data["targets"].items():
            targets.setdefault(str(code), {})[language] = " ".join(text.split())
    return goals, targets


# country_converter says "America"; UN M49 calls the region "Americas".
CONTINENT_NAMES = {"America": "Americas"}


M49_TAXONOMY = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"


def m49_taxonomy() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """From the OCHA/HDX country taxonomy (shipped by hdx-python-country, which follows UNSD's M49):
    each region's three-digit M49 code by English name, and for each country (ISO alpha-3) in a
    grouped sub-region, (group, sub-region), e.g. KEN: (Sub-Saharan Africa, Eastern Africa)."""
    codes: dict[str, str] = {}
    groups: dict[str, tuple[str, str]] = {}
    with (importlib.resources.files("hdx.location") / M49_TAXONOMY).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for level in ("Region", "Sub-region", "Intermediate Region"):
                if row[f"{level} Code"]:
                    codes[row[f"{level} Name"]] = row[f"{level} Code"].zfill(3)
            if row["Intermediate Region Name"] and row["Sub-region Name"]:
                groups[row["ISO 3166-1 Alpha 3-Codes"]] = (row["Sub-region Name"], row["Intermediate Region Name"])
    return codes, groups


class Loader:
    def __init__(self):
        self.counts: Counter[str] = Counter()

    # -- the one write primitive ------------------------------------------------

    def upsert(self, model, lookup: dict, values: dict | None = None):
        """Get the row for `lookup`; create it, or save it only if `values` changed."""
        values = values or {}
        obj = model.objects.filter(**lookup).first()
        label = model._meta.label
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.counts[f"{label} created"] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.counts[f"{label} updated"] += 1
        return obj

    def set_m2m(self, manager, objects):
        wanted = {o.pk for o in objects}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(wanted))

    # -- the pieces ---------------------------------------------------------------

    def load_regions_and_countries(self):
        data = importlib.resources.files("country_converter") / "country_data.tsv"
        with data.open(encoding="utf-8") as handle:
            un_regions = {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}
        m49_codes, m49_groups = m49_taxonomy()

        regions: dict[str, Region] = {}

        def region(name: str, level: int, parent: Region | None) -> Region:
            if name not in regions:
                values = {"name": name, "level": level, "parent": parent, "m49_code": m49_codes.get(name)}
                regions[name] = self.upsert(Region, {"slug": slugify(name)}, values)
            return regions[name]

        region_of: dict[str, Region] = {}
        for iso3, row in un_regions.items():
            if not row["continent"] or not row["UNregion"]:
                continue
            continent = region(CONTINENT_NAMES.get(row["continent"], row["continent"]), 1, None)
            parent = continent
            # M49 groups some sub-regions: Latin America and the Caribbean (419) holds the
            # Caribbean, Central and South America; Sub-Saharan Africa (202) all of Africa
            # but its north. The group sits between the continent and the sub-region.
            group = m49_groups.get(iso3)
            if group and group[1] == row["UNregion"]:
                parent = region(group[0], 2, continent)
            if row["UNregion"] == continent.name:  # Antarctica is its own sub-region
                region_of[iso3] = continent
            else:
                region_of[iso3] = region(row["UNregion"], 3, parent)

        existing = {c.iso_alpha3: c for c in Country.objects.all()}
        new = []
        for entry in pycountry.countries:
            values = {
                "iso_alpha2": entry.alpha_2,
                "iso_numeric": entry.numeric,
                "name": getattr(entry, "common_name", None) or entry.name,
                "official_name": getattr(entry, "official_name", ""),
                "region": region_of.get(entry.alpha_3),
            }
            country = existing.get(entry.alpha_3)
            if country is None:
                new.append(Country(iso_alpha3=entry.alpha_3, **values))
            elif any(getattr(country, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(country, k, v)
                country.save()
                self.counts["countries.Country updated"] += 1
        if new:
            bulk_create_with_history(new, Country)
            self.counts["countries.Country created"] += len(new)

        self.load_subdivisions()

    def load_subdivisions(self):
        countries = dict(Country.objects.values_list("iso_alpha2", "pk"))
        existing = {s.code: s for s in Subdivision.objects.all()}
        new, changed = [], []
        for entry in pycountry.subdivisions:
            values = {"name": entry.name, "type": entry.type, "country_id": countries[entry.country_code]}
            row = existing.get(entry.code)
            if row is None:
                new.append(Subdivision(code=entry.code, **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed.append(row)
        Subdivision.objects.bulk_create(new, batch_size=1000)
        Subdivision.objects.bulk_update(changed, ["name", "type", "country_id"], batch_size=1000)
        self.counts["countries.Subdivision created"] += len(new)
        self.counts["countries.Subdivision updated"] += len(changed)

    def load_agencies(self):
        for acronym, name, kind, membership, hq, website, extra in mechanism.AGENCIES:
            self.upsert(
                Agency,
                {"acronym": acronym},
                {
                    "name": name,
                    "kind": kind,
                    "membership": membership,
                    "headquarters": hq,
                    "website": website,
                    "hosts_secretariat": extra.get("hosts_secretariat", False),
                    "name_translations": agency_names(acronym),
                    "membership_through": extra.get("membership_through", ""),
                },
            )
        for acronym, name, parent, hq, website in mechanism.REGIONAL_OFFICES:
            self.upsert(
                Agency,
                {"acronym": acronym},
                {
                    "name": name,
                    "kind": Agency.Kind.REGIONAL_OFFICE,
                    "name_translations": agency_names(acronym),
                    "membership": Agency.Membership.NONE,
                    "parent": Agency.objects.get(acronym=parent),
                    "headquarters": hq,
                    "website": website,
                },
            )
        for acronym, seat, start, end, stated_on in mechanism.STEERING_COMMITTEE:
            self.upsert(
                SteeringCommitteeSeat,
                {"agency": self.agency(acronym), "seat_type": seat, "start_date": start},
                {"end_date": end, "stated_on": stated_on},
            )
        for chair in mechanism.CHAIRS:
            person = self.person(chair["person"])
            self.upsert(
                ChairTerm,
                {"start_date": chair["start_date"]},
                {
                    "person": person,
                    "agency": self.agency(chair["agency"]),
                    "position": chair["position"],
                    "end_date": chair["end_date"],
                },
            )

    def load_sun(self):
        for name, acronym in mechanism.SUN_NETWORKS:
            self.upsert(SunNetwork, {"acronym": acronym}, {"name": name})
        hubs = {
            city: self.upsert(SunRegionalHub, {"name": name}, {"city": city, "country": self.country(iso3)})
            for name, city, iso3 in mechanism.SUN_HUBS
        }
        # Every SUN country, with the regional hub that serves it (none for the Convergence Hub's).
        # The hub is the fact kept up to date here; the joining date and the Government Focal Point
        # are the Secretariat's to record, so an existing membership keeps them.
        countries = dict(Country.objects.filter(iso_alpha3__in=sun.SUN_COUNTRIES).values_list("iso_alpha3", "pk"))
        for city, codes in sun.SUN_COUNTRIES_BY_HUB.items():
            for iso3 in codes:
                self.upsert(SunMembership, {"country_id": countries[iso3]}, {"hub": hubs[city] if city else None})

    def load_vocabularies(self):
        for code, name, description in mechanism.ACTION_AREAS:
            self.upsert(ActionArea, {"code": code}, {"name": name, "description": description})
        for name, leads in mechanism.CLUSTERS:
            cluster = self.upsert(HumanitarianCluster, {"name": name})
            self.set_m2m(cluster.lead_agencies, [self.agency(a) for a in leads])
        goal_texts, target_texts = sdg_translations()
        goals = {
            number: self.upsert(
                SdgGoal, {"number": number}, {"title": title, "title_translations": goal_texts.get(number, {})}
            )
            for number, title in sdg.GOALS
        }
        for position, (code, text) in enumerate(sdg.TARGETS, start=1):
            goal = goals[int(code.split(".")[0])]
            self.upsert(
                SdgTarget,
                {"code": code},
                {"goal": goal, "text": text, "position": position, "text_translations": target_texts.get(code, {})},
            )

    def load_team(self, spec: dict):
        team_values = dict(spec["team"])
        name = team_values.pop("name")
        # A team of the brief is set up once. After that it is its people's: they record new
        # conveners, members, platforms and provinces, and a later run (every `make run`) must not
        # undo that, so an existing team is left exactly as it is.
        if Team.objects.filter(name=name).exists():
            return
        if "country" in team_values:
            team_values["country"] = self.country(team_values["country"])
        if "region" in team_values:
            team_values["region"] = Region.objects.get(name=team_values["region"])
        if "parent" in team_values:
            team_values["parent"] = Team.objects.get(name=team_values["parent"])
        team = self.upsert(Team, {"name": name}, team_values)

        for acronym in spec["members"]:
            self.upsert(TeamMember, {"team": team, "agency": self.agency(acronym)})
        for term in spec["conveners"]:
            self.upsert(
                ConvenerTerm,
                {"team": team, "role": term["role"], "start_date": term["start_date"]},
                {"agency": self.agency(term["agency"]), "end_date": term["end_date"]},
            )
        self.set_m2m(team.action_areas, [ActionArea.objects.get(code=c) for c in spec.get("action_areas", [])])
        self.set_m2m(team.clusters, [HumanitarianCluster.objects.get(name=c) for c in spec.get("clusters", [])])

        country = team.country
        frameworks = [
            self.upsert(
                NationalFramework,
                {"country": country, "name": fw_name},
                {"start_year": start, "end_year": end},
            )
            for fw_name, start, end in spec.get("national_frameworks", [])
        ]
        self.set_m2m(team.national_frameworks, frameworks)

        for platform in spec.get("platforms", []):
            values = dict(platform)
            obj = self.upsert(Platform, {"country": country, "name": values.pop("name")}, values)
            self.upsert(TeamPlatform, {"team": team, "platform": obj})

        if sun_spec := spec.get("sun"):
            focal_point = self.person(sun_spec["focal_point"])
            self.upsert(SunMembership, {"country": country}, {"government_focal_point": focal_point})
            for acronym, local_name in sun_spec["networks"].items():
                self.upsert(
                    SunNetworkPresence,
                    {"country": country, "network": SunNetwork.objects.get(acronym=acronym)},
                    {"local_name": local_name},
                )
        if tor := spec.get("terms_of_reference"):
            self.upsert(TermsOfReference, {"team": team, "title": tor})
        for resource in spec.get("resources", []):
            self.upsert(
                ResourceMobilised,
                {"team": team, "purpose": resource["purpose"]},
                {"source": resource["source"], "amount": Decimal(resource["amount"]), "currency": resource["currency"]},
            )

    def load_standard_indicators(self):
        """The Secretariat's catalogue (standard_indicators.yml). An entry dropped from the file stays
        (teams' indicators point to it) but is no longer offered."""
        with (DATA / "standard_indicators.yml").open(encoding="utf-8") as handle:
            entries = yaml.safe_load(handle)
        codes = []
        for position, entry in enumerate(entries, start=1):
            names = dict(entry["name"])
            english = names.pop("en")
            codes.append(entry["code"])
            self.upsert(
                StandardIndicator,
                {"code": entry["code"]},
                {
                    "name": english,
                    "name_translations": dict(sorted(names.items())),
                    "definition": " ".join(entry["definition"].split()),
                    "category": entry["category"],
                    "unit": entry["unit"],
                    "direction": entry["direction"],
                    "sdg_indicator": str(entry.get("sdg_indicator", "")),
                    "source": entry.get("source", ""),
                    "position": position,
                    "is_active": True,
                },
            )
        for retired in StandardIndicator.objects.exclude(code__in=codes).filter(is_active=True):
            retired.is_active = False
            retired.save()
            self.counts["results.StandardIndicator retired"] += 1

    # -- lookups -------------------------------------------------------------------

    def agency(self, acronym: str) -> Agency:
        return Agency.objects.get(acronym=acronym)

    def country(self, iso3: str) -> Country:
        return Country.objects.get(iso_alpha3=iso3)

    def person(self, spec: dict) -> Person:
        values = dict(spec)
        name = values.pop("name")
        if "agency" in values:
            values["agency"] = self.agency(values["agency"])
        if "country" in values:
            values["country"] = self.country(values["country"])
        return self.upsert(Person, {"name": name, "is_demo": False}, values)


@transaction.atomic
@versions.writes(*versions.SCOPES)
def load_reference_data() -> Counter[str]:
    """Load or refresh every reference fact; returns what was created or updated."""
    loader = Loader()
    loader.load_regions_and_countries()
    loader.load_agencies()
    loader.load_sun()
    loader.load_vocabularies()
    loader.load_standard_indicators()
    for spec in mechanism.TEAMS:
        loader.load_team(spec)
    funding.load(loader)  # activity tags, the first funders, the brief's joint proposal (after the teams)
    return +loader.counts  # drop zero counts
