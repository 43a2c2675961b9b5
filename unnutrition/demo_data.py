"""Plausible, reproducible demo data: teams, people, platforms, workplans, activities.

Everything comes from one `random.Random(seed)`, so the same seed, country
count, years and reference date give the same rows. Rows are written with
bulk inserts (a few statements per table, not one per row) so that the
benchmark size, 200 countries x 5 years x ~40 activities, loads in seconds.

Demo rows are flagged (`is_demo`) and replaced on every run; they bypass the
change history on purpose: they were generated, nobody edited them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from core import versions as data_versions
from countries.models import Country, Person, Subdivision, SunMembership
from teams.models import ConvenerTerm, FocalPoint, MeetingFrequency, Platform, Team, TeamMember, TeamPlatform
from workplans.models import ActionArea, Activity, ProgressUpdate, ResourceMobilised, SdgTarget, Workplan

FIRST_NAMES = [
    "Amina", "Ahmed", "Sophea", "Dara", "María", "Carlos", "Fatou", "Moussa", "Nguyen", "Lina", "Olga", "Ivan",
    "Wei", "Mei", "Priya", "Ravi", "Grace", "John", "Aisha", "Omar", "Chantal", "Pierre", "Ana", "Lucas",
    "Thandiwe", "Kofi", "Leila", "Yusuf", "Elena", "Tomás",
]  # fmt: skip
LAST_NAMES = [
    "Diallo", "Sok", "Chan", "García", "Rodríguez", "Ndiaye", "Traoré", "Tran", "Haddad", "Petrova", "Ivanov",
    "Li", "Wang", "Sharma", "Patel", "Mwangi", "Okafor", "Hassan", "Dubois", "Martin", "Silva", "Santos",
    "Mensah", "Kamau", "Rahman", "Karimi", "Novak", "Mendoza", "Banda", "Abebe",
]  # fmt: skip
MINISTRIES = [
    "Ministry of Health", "Ministry of Agriculture", "Office of the Prime Minister", "Ministry of Planning",
    "Ministry of Social Affairs", "National Nutrition Council",
]  # fmt: skip
PLATFORM_NAMES = [
    "National Multi-stakeholder Platform for Nutrition", "Food Security and Nutrition Council",
    "National Nutrition Coordination Committee", "Technical Working Group on Nutrition",
]  # fmt: skip
ACTIVITY_TOPICS = [
    "infant and young child feeding", "micronutrient supplementation", "school meals", "food fortification",
    "wasting prevention and treatment", "nutrition-sensitive social protection", "maternal nutrition",
    "food systems dialogues", "nutrition information systems", "healthy diets in urban areas",
    "home-grown school feeding", "nutrition in emergencies", "anaemia reduction", "stunting reduction",
    "diet-related noncommunicable diseases", "biofortified crops", "WASH in health facilities",
]  # fmt: skip
ACTIVITY_VERBS = {
    "evidence": ["Survey on", "Cost analysis of", "Evaluation of", "Mapping of"],
    "advocacy": ["Parliamentary briefing on", "Joint campaign on", "Policy brief on"],
    "knowledge": ["Dashboard for", "Knowledge exchange on", "Guidance note on"],
    "capacity": ["Training of health workers on", "Technical support to the ministry on", "Scale-up of"],
    "emergency": ["Emergency response for", "Preparedness plan for", "Cluster coordination on"],
}
# Targets nutrition work usually serves; the rest of the 169 are rarely tagged.
NUTRITION_TARGETS = ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.4", "1.3", "4.1", "5.1", "6.1", "6.2", "12.3"]
CORE_AGENCIES = ["FAO", "UNICEF", "WFP", "WHO"]
OTHER_AGENCIES = ["IFAD", "UNDP", "UNHCR", "UNEP", "UN-Habitat", "IAEA", "UNIDO", "OCHA", "OHCHR"]
CURRENCIES = ["USD"] * 8 + ["EUR"]


@dataclass
class Batch:
    """Unsaved rows, grouped by model, written in dependency order."""

    rows: dict[type, list] = field(default_factory=dict)

    def add(self, obj):
        self.rows.setdefault(type(obj), []).append(obj)
        return obj

    def save(self, *models) -> Counter[str]:
        counts: Counter[str] = Counter()
        for model in models:
            objs = self.rows.pop(model, [])
            # Copy the ids of already inserted parents onto the FK columns.
            for obj in objs:
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.is_cached(obj):
                        parent = getattr(obj, f.name)
                        if parent is not None and getattr(obj, f.attname) is None:
                            setattr(obj, f.attname, parent.pk)
            model.objects.bulk_create(objs, batch_size=2000)
            counts[model._meta.label] += len(objs)
        return counts


def purge_demo_data() -> None:
    """Delete earlier demo rows, children first, without touching real records."""
    demo_team = Q(team__is_demo=True)

    def wipe(qs):
        # Demo rows have no history and must leave none: delete them in SQL
        # rather than one by one through the history signals.
        qs._raw_delete(qs.db)

    activities = Activity.objects.filter(workplan__team__is_demo=True)
    wipe(ProgressUpdate.objects.filter(activity__in=activities))
    for m2m in ("participating_agencies", "sdg_targets", "national_frameworks", "subdivisions"):
        wipe(getattr(Activity, m2m).through.objects.filter(activity__in=activities))
    wipe(activities)
    wipe(ResourceMobilised.objects.filter(demo_team))
    wipe(Workplan.objects.filter(demo_team))
    wipe(FocalPoint.objects.filter(member__team__is_demo=True))
    wipe(TeamMember.objects.filter(demo_team))
    wipe(ConvenerTerm.objects.filter(demo_team))
    wipe(TeamPlatform.objects.filter(demo_team))
    for m2m in ("subdivisions", "action_areas", "national_frameworks", "clusters"):
        wipe(getattr(Team, m2m).through.objects.filter(demo_team))
    wipe(Team.objects.filter(is_demo=True))
    wipe(Platform.objects.filter(is_demo=True))
    wipe(SunMembership.objects.filter(government_focal_point__is_demo=True))
    from accounts.models import User

    User.objects.filter(person__is_demo=True).update(person=None)
    wipe(Person.objects.filter(is_demo=True))


class Generator:
    def __init__(self, seed: int, years: list[int], as_of: dt.date):
        self.rng = random.Random(seed)
        self.years = years
        self.as_of = as_of
        self.batch = Batch()
        self.person_count = 0
        self.agencies = {a.acronym: a for a in Agency.objects.all()}
        self.action_areas = list(ActionArea.objects.order_by("code"))
        self.targets = list(SdgTarget.objects.filter(code__in=NUTRITION_TARGETS).order_by("position"))

    def aware(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)

    def person(self, country: Country, agency: Agency | None, title: str, organization: str = "") -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        self.person_count += 1
        domain = f"{agency.acronym.lower().replace(' ', '')}.example.org" if agency else "gov.example.org"
        return self.batch.add(
            Person(
                name=f"{first} {last}",
                title=title,
                agency=agency,
                organization=organization,
                country=country,
                email=f"{first[0].lower()}.{last.lower()}.{self.person_count}@{domain}",
                phone=f"+{rng.randint(20, 998)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                is_demo=True,
            )
        )

    def team(self, country: Country, subdivisions: list[int]):
        rng, batch = self.rng, self.batch
        first_year = self.years[0]
        team = batch.add(
            Team(
                name=f"UN Nutrition {country.name}",
                kind=Team.Kind.COUNTRY,
                country=country,
                established_on=min(
                    dt.date(rng.randint(2015, first_year), rng.randint(1, 12), 1),
                    self.as_of - dt.timedelta(days=365),
                ),
                meeting_frequency=rng.choice([MeetingFrequency.MONTHLY, MeetingFrequency.QUARTERLY]),
                works_with_resident_coordinator=rng.random() < 0.7,
                is_demo=True,
            )
        )
        members = [a for a in CORE_AGENCIES if rng.random() < 0.9] or ["UNICEF"]
        members += rng.sample(OTHER_AGENCIES, rng.randint(0, 4))
        member_agencies = [self.agencies[a] for a in members]
        for agency in member_agencies:
            member = batch.add(TeamMember(team=team, agency=agency, start_date=team.established_on))
            focal = self.person(country, agency, f"Nutrition Officer, {agency.acronym}")
            batch.add(FocalPoint(member=member, person=focal, start_date=team.established_on))

        # Convener history: consecutive terms, the last one open unless the
        # team currently has no convener (about one in ten, for the alerts).
        start = team.established_on
        terms = rng.randint(1, 3)
        for index in range(terms):
            agency = rng.choice(member_agencies)
            last = index == terms - 1
            end = None if last else min(start + dt.timedelta(days=rng.randint(365, 900)), self.as_of)
            if last and rng.random() < 0.1:
                end = max(start, self.as_of - dt.timedelta(days=rng.randint(30, 200)))
            head = self.person(country, agency, f"Representative, {agency.acronym}")
            batch.add(
                ConvenerTerm(team=team, role="convener", agency=agency, person=head, start_date=start, end_date=end)
            )
            if end is None or end >= self.as_of:
                break
            start = end + dt.timedelta(days=1)

        platform = batch.add(
            Platform(
                name=rng.choice(PLATFORM_NAMES),
                country=country,
                government_led=rng.random() < 0.9,
                is_sun_platform=rng.random() < 0.6,
                functioning=rng.choice(Platform.Functioning.values),
                chairing_ministry=rng.choice(MINISTRIES),
                meeting_frequency=rng.choice([MeetingFrequency.MONTHLY, MeetingFrequency.QUARTERLY]),
                is_demo=True,
            )
        )
        batch.add(TeamPlatform(team=team, platform=platform))
        if platform.is_sun_platform:
            gfp = self.person(country, None, "SUN Government Focal Point", rng.choice(MINISTRIES))
            batch.add(
                SunMembership(
                    country=country,
                    joined_on=dt.date(rng.randint(2010, 2022), rng.randint(1, 12), 1),
                    government_focal_point=gfp,
                )
            )
        for _ in range(rng.randint(0, 2)):
            batch.add(
                ResourceMobilised(
                    team=team,
                    source=rng.choice(["Joint SDG Fund", "Bilateral donor", "Nutrition for Growth commitment"]),
                    amount=Decimal(rng.randint(50, 5000) * 1000),
                    currency="USD",
                    purpose=f"Joint programme on {rng.choice(ACTIVITY_TOPICS)}",
                    received_on=dt.date(rng.choice(self.years), rng.randint(1, 12), 1),
                )
            )
        for year in self.years:
            self.workplan(team, member_agencies, subdivisions, year)

    def workplan(self, team: Team, members: list[Agency], subdivisions: list[int], year: int):
        rng, batch = self.rng, self.batch
        current = year == self.as_of.year
        status = rng.choice(Workplan.Status.values) if current else Workplan.Status.ENDORSED
        submitted = self.aware(dt.date(year, rng.randint(1, 3), rng.randint(1, 28)))
        workplan = batch.add(
            Workplan(
                team=team,
                year=year,
                status=status,
                submitted_at=None if status == "draft" else submitted,
                endorsed_at=submitted + dt.timedelta(days=rng.randint(5, 40)) if status == "endorsed" else None,
                summary=f"Joint workplan of {team.name} for {year}.",
            )
        )
        for _ in range(rng.randint(30, 50)):
            self.activity(workplan, members, subdivisions, year)

    def activity(self, workplan: Workplan, members: list[Agency], subdivisions: list[int], year: int):
        rng, batch = self.rng, self.batch
        area = rng.choice(self.action_areas)
        start = dt.date(year, rng.randint(1, 9), rng.randint(1, 28))
        end = min(start + dt.timedelta(days=rng.randint(60, 400)), dt.date(year + 1, 12, 31))
        if end < self.as_of:
            status = rng.choices(["closed", "finalisation", "cancelled", "implementation"], [70, 10, 10, 10])[0]
        elif start > self.as_of:
            status = "pipeline"
        else:
            status = rng.choices(["implementation", "pipeline", "suspended"], [80, 15, 5])[0]
        required = Decimal(rng.randint(10, 2000) * 1000)
        available = (required * Decimal(rng.randint(20, 100)) / 100).quantize(Decimal("1"))
        spent_share = 100 if status == "closed" else rng.randint(0, 90)
        spent = (available * Decimal(spent_share) / 100).quantize(Decimal("1"))
        lead = rng.choice(members)
        activity = batch.add(
            Activity(
                workplan=workplan,
                title=f"{rng.choice(ACTIVITY_VERBS.get(area.code, ['Support to']))} {rng.choice(ACTIVITY_TOPICS)}",
                description="",
                action_area=area,
                lead_agency=lead,
                is_national=not subdivisions or rng.random() < 0.7,
                start_date=start,
                end_date=end,
                currency=rng.choice(CURRENCIES),
                budget_required=required,
                budget_available=available,
                budget_spent=spent,
                status=status,
            )
        )
        through = Activity.participating_agencies.through
        others = [a for a in members if a != lead]
        for agency in rng.sample(others, min(len(others), rng.randint(0, 3))):
            batch.add(through(activity=activity, agency=agency))
        for target in rng.sample(self.targets, rng.randint(1, 3)):
            batch.add(Activity.sdg_targets.through(activity=activity, sdgtarget=target))
        if not activity.is_national:
            for subdivision_id in rng.sample(subdivisions, min(len(subdivisions), rng.randint(1, 3))):
                batch.add(Activity.subdivisions.through(activity=activity, subdivision_id=subdivision_id))
        last = None
        if start <= self.as_of:
            for n in range(rng.randint(0, 3)):
                reported = start + dt.timedelta(days=30 * (n + 1) + rng.randint(0, 20))
                if reported > min(end, self.as_of):
                    break
                percent = min(100, 25 * (n + 1) + rng.randint(-10, 10))
                batch.add(
                    ProgressUpdate(
                        activity=activity,
                        reported_on=reported,
                        percent_complete=max(percent, 0),
                        status=status,
                        text=f"{percent}% of planned outputs delivered.",
                    )
                )
                last = reported
        activity.last_progress_at = self.aware(last) if last else None


@transaction.atomic
@data_versions.writes(*data_versions.SCOPES)
def generate_demo_data(countries: int, years: int, seed: int, as_of: dt.date | None = None) -> Counter[str]:
    """Replace the demo data with a fresh, reproducible set; returns rows created per model."""
    as_of = as_of or timezone.localdate()
    purge_demo_data()
    # Countries that have a real team keep it; demo teams go elsewhere.
    candidates = list(
        Country.objects.filter(region__isnull=False)
        .exclude(teams__kind=Team.Kind.COUNTRY)
        .order_by("iso_alpha3")
        .values_list("pk", flat=True)
    )
    generator = Generator(seed, list(range(as_of.year - years + 1, as_of.year + 1)), as_of)
    chosen = sorted(generator.rng.sample(candidates, min(countries, len(candidates))))
    subdivisions: dict[int, list[int]] = {}
    for country_id, subdivision_id in (
        Subdivision.objects.filter(country_id__in=chosen).values_list("country_id", "pk").order_by("country_id", "code")
    ):
        subdivisions.setdefault(country_id, []).append(subdivision_id)
    for country in Country.objects.filter(pk__in=chosen).order_by("iso_alpha3"):
        generator.team(country, subdivisions.get(country.pk, []))

    batch = generator.batch
    return batch.save(
        Person,
        Team,
        TeamMember,
        FocalPoint,
        ConvenerTerm,
        Platform,
        TeamPlatform,
        SunMembership,
        ResourceMobilised,
        Workplan,
        Activity,
        Activity.participating_agencies.through,
        Activity.sdg_targets.through,
        Activity.subdivisions.through,
        ProgressUpdate,
    )
