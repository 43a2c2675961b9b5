"""Demo data a Secretariat officer would believe: reproducible, and never written over anyone's work.

What it holds, and why it looks like that:

- Country teams only in programme countries: the SUN Movement's member countries, each with a UN
  country team (`reference_data.sun`), never where a team already exists. `--countries N` means N
  demo teams: country teams first, then regional groups of the sub-regions where the SUN countries
  are, then subnational working groups (a province or two each, supported by one or two agencies of
  the country team) where there are fewer programme countries than N.
- Annual joint workplans of 5 to 20 activities; what an activity costs is drawn from a log-normal
  distribution with a median of about USD 40,000, so most cost tens of thousands and a few several
  hundred thousand. Each activity's topic decides which agencies may lead it and take part (UNICEF
  or WHO lead infant feeding, IAEA its stable-isotope work) and which SDG targets it serves (goal 2
  and the nutrition-related targets of goals 1, 3, 5, 6, 12, 13 and 17).
- Statuses follow the dates and the money: a closed activity reached 100 % and spent its money,
  a cancelled one spent nothing, nothing has progress before it started or reported after the
  reference date, and the pipeline has spent nothing.
- A workplan past draft records who submitted it (the team's convener that day) and who endorsed it
  (that convener or the Secretariat); a team without a convener keeps its plan in draft. A few
  conveners hand over in the middle of a year, a few teams have none at the moment.
- Every record has its history, written in bulk (who set it up, when a plan was submitted and
  endorsed, an activity's last update), so every "History" link answers.
- Demo accounts for each role, with random passwords printed once (`DemoResult.accounts`).

Everything comes from one `random.Random(seed)`, so the same seed, size and reference date give the
same rows (the accounts' passwords aside). Rows are written with bulk inserts, a few statements per
table, so the benchmark size (200 teams over 5 years) loads in seconds.

`generate_demo_data()` replaces earlier demo data; `make run` only calls it on an empty database
(`reason_not_to_generate`), and `make demo-reset` replaces it on purpose.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from core import versions as data_versions
from countries.models import Country, Person, Region, Subdivision
from cycle.models import Deadline
from teams.models import ConvenerTerm, FocalPoint, MeetingFrequency, Platform, Team, TeamMember, TeamPlatform
from workplans.models import ActionArea, Activity, ProgressUpdate, ResourceMobilised, SdgTarget, Workplan

from .demo_results import generate_results, purge_results
from .reference_data import mechanism
from .reference_data.sun import PROGRAMME_COUNTRIES, SUN_COUNTRIES_BY_HUB

# Every account the generator makes has a user name starting with this, and only those are
# removed when the demo data is replaced.
DEMO_USERNAME_PREFIX = "demo-"

# The printed accounts: (key, user name, role as printed).
ACCOUNTS = [
    ("secretariat", "demo-secretariat", "Secretariat officer"),
    ("convener", "demo-convener", "Convener"),
    ("focal_point", "demo-focal-point", "Focal point, same team"),
    ("other_focal_point", "demo-focal-point-2", "Focal point, another team"),
    ("viewer", "demo-viewer", "Viewer"),
]


@dataclass(frozen=True)
class Topic:
    """What an activity is about: who may lead it, who takes part, which SDG targets it serves."""

    name: str
    leads: tuple[str, ...]
    partners: tuple[str, ...]
    targets: tuple[str, ...]
    emergency: bool = False  # also planned as emergency coordination
    needs: str = ""  # "fragile": only in fragile countries; an acronym: only where that agency is a member
    areas: tuple[str, ...] = ()  # the joint action areas it is planned under (default: any)


TOPICS = [
    Topic("infant and young child feeding", ("UNICEF", "WHO"), ("WFP", "FAO"), ("2.2", "3.2"), emergency=True),
    Topic("micronutrient supplementation", ("UNICEF", "WHO"), ("WFP",), ("2.2", "3.1", "3.2")),
    Topic("maternal nutrition", ("UNICEF", "WHO"), ("WFP", "UNFPA"), ("2.2", "3.1")),
    Topic("anaemia reduction in women and adolescent girls", ("WHO", "UNICEF"), ("WFP",), ("2.2", "3.1", "5.5")),
    Topic("prevention and treatment of child wasting", ("UNICEF", "WFP"), ("WHO", "UNHCR"), ("2.2", "3.2"),
          emergency=True),
    Topic("stunting reduction", ("UNICEF",), ("WFP", "WHO", "FAO"), ("2.2", "3.2")),
    Topic("school meals", ("WFP",), ("FAO", "UNICEF", "WHO"), ("2.1", "2.2", "1.3")),
    Topic("home-grown school feeding", ("WFP", "FAO"), ("IFAD", "UNICEF"), ("2.1", "2.3", "1.3")),
    Topic("large-scale food fortification", ("WFP", "UNICEF"), ("WHO", "FAO", "UNIDO"), ("2.1", "2.2")),
    Topic("nutrition-sensitive social protection", ("WFP", "UNICEF"), ("FAO", "UNDP"), ("1.3", "2.1", "2.2")),
    Topic("the national food systems transformation pathway", ("FAO", "WFP", "IFAD"), ("UNICEF", "UNDP", "UNEP"),
          ("2.1", "2.4", "12.3", "17.14")),
    Topic("healthy diets and food environments", ("FAO", "WHO"), ("UNICEF", "UN-Habitat"), ("2.1", "2.2", "3.4")),
    Topic("diet-related noncommunicable diseases", ("WHO",), ("FAO", "UNICEF"), ("3.4", "2.2")),
    Topic("nutrition information and surveillance", ("UNICEF", "WHO", "FAO"), ("WFP",), ("2.2", "17.18")),
    Topic("biofortified crops", ("FAO", "IFAD"), ("WFP", "CGIAR"), ("2.1", "2.3", "2.5")),
    Topic("climate-resilient agriculture for nutrition", ("FAO", "IFAD"), ("WFP", "UNEP", "UNDP"),
          ("2.4", "13.1", "1.5")),
    Topic("food loss and waste reduction", ("FAO",), ("UNEP", "UNIDO", "WFP"), ("12.3", "2.1")),
    Topic("women's empowerment in food systems", ("FAO", "IFAD"), ("WFP", "UNDP"), ("5.5", "5.a", "2.3")),
    Topic("water, sanitation and hygiene for nutrition", ("UNICEF",), ("WHO",), ("6.1", "6.2", "2.2")),
    Topic("nutrition of refugees and host communities", ("UNHCR", "WFP"), ("UNICEF", "WHO"), ("2.1", "2.2", "1.5"),
          emergency=True, needs="UNHCR"),
    Topic("emergency food assistance and nutrition", ("WFP",), ("UNICEF", "FAO", "OCHA"), ("2.1", "2.2", "1.5"),
          emergency=True, needs="fragile"),
    Topic("breastfeeding and body composition assessment with stable isotopes", ("IAEA",), ("WHO", "UNICEF"),
          ("2.2", "17.18")),
    Topic("the right to adequate food", ("OHCHR", "FAO"), ("UNICEF",), ("2.1", "1.4")),
    Topic("domestic financing for nutrition", ("UNICEF", "WFP", "FAO", "WHO"), ("IFAD", "UNDP"),
          ("17.1", "17.17"), areas=("evidence", "advocacy")),
    Topic("nutrition in the Cooperation Framework", ("UNICEF", "WFP", "FAO", "WHO", "UNDP"), ("IFAD",),
          ("17.14", "17.17"), areas=("advocacy", "knowledge")),
]  # fmt: skip
# Every SDG target a demo activity may carry: goal 2, and the targets of goals 1, 3, 5, 6, 12, 13 and 17
# that nutrition work serves.
NUTRITION_TARGETS = sorted({code for topic in TOPICS for code in topic.targets})

VERBS = {
    "evidence": ["Survey on", "Cost analysis of", "Evaluation of", "Mapping of stakeholders and actions on",
                 "Situation analysis of"],
    "advocacy": ["Parliamentary briefing on", "Joint advocacy campaign on", "Policy brief on",
                 "National Nutrition Day event on"],
    "knowledge": ["Dashboard for", "Knowledge exchange on", "Guidance note on", "Learning event on"],
    "capacity": ["Technical support to national institutions on", "Training of trainers on",
                 "Capacity assessment for", "Provincial coordination support on"],
    "emergency": ["Preparedness plan for", "Joint response plan for", "Cluster coordination on"],
}  # fmt: skip

# Agencies besides FAO, UNICEF, WFP and WHO, with the chance that a country team counts them.
OTHER_MEMBERS = [
    ("IFAD", 0.35),
    ("UNDP", 0.2),
    ("UNHCR", 0.15),
    ("UN-Habitat", 0.08),
    ("UNEP", 0.08),
    ("IAEA", 0.1),
    ("UNIDO", 0.06),
    ("OHCHR", 0.04),
]
# In the fragile and conflict-affected countries of the SUN Convergence Hub, more humanitarian agencies.
FRAGILE_MEMBERS = [("UNHCR", 0.6), ("OCHA", 0.5)]
FRAGILE_COUNTRIES = set(SUN_COUNTRIES_BY_HUB[None])

FOCAL_POINT_TITLES = {
    "UNICEF": "Nutrition Specialist", "WFP": "Nutrition Officer", "FAO": "Food Security and Nutrition Officer",
    "WHO": "National Professional Officer, Nutrition", "IFAD": "Country Programme Officer",
    "UNDP": "Programme Specialist", "UNHCR": "Public Health and Nutrition Officer", "UNEP": "Programme Officer",
    "UN-Habitat": "Programme Officer", "IAEA": "Technical Officer, Nutrition",
    "UNIDO": "Industrial Development Officer", "OHCHR": "Human Rights Officer", "OCHA": "Humanitarian Affairs Officer",
}  # fmt: skip
HEAD_TITLES = {
    "UNICEF": "Representative",
    "WFP": "Country Director",
    "FAO": "FAO Representative",
    "WHO": "WHO Representative",
    "IFAD": "Country Director",
    "UNDP": "Resident Representative",
    "UNHCR": "Representative",
}

# Demo regional groups: (M49 sub-region, city of the member agencies' regional offices, its country).
REGIONAL_GROUPS = [
    ("Western Africa", "Dakar", "SEN"),
    ("Middle Africa", "Dakar", "SEN"),
    ("Eastern Africa", "Nairobi", "KEN"),
    ("Southern Africa", "Johannesburg", "ZAF"),
    ("South-eastern Asia", "Bangkok", "THA"),
    ("Southern Asia", "Kathmandu", "NPL"),
]
REGIONAL_MEMBERS = ["FAO", "UNICEF", "WFP", "WHO"]

PLATFORM_NAMES = [
    "National Multi-stakeholder Platform for Nutrition", "Food Security and Nutrition Council",
    "National Nutrition Coordination Committee", "Technical Working Group on Nutrition",
    "High-Level Nutrition Steering Committee",
]  # fmt: skip
MINISTRIES = [
    "Ministry of Health", "Ministry of Agriculture", "Office of the Prime Minister", "Ministry of Planning",
    "Ministry of Social Affairs", "National Nutrition Council",
]  # fmt: skip
FUNDERS = ["Joint SDG Fund", "Bilateral donor", "Multi-partner trust fund", "Nutrition for Growth commitment"]

# Names, by the SUN hub of the country (national staff), and for international staff.
NAMES = {
    "Dakar": (["Aminata", "Moussa", "Fatou", "Ibrahima", "Awa", "Mamadou", "Mariam", "Ousmane", "Aïssatou", "Sékou",
               "Clarisse", "Jean-Baptiste"],
              ["Diallo", "Traoré", "Ndiaye", "Sow", "Koné", "Coulibaly", "Ouédraogo", "Diop", "Camara", "Sylla",
               "Rakotomalala", "Uwimana"]),
    "Nairobi": (["Grace", "John", "Wanjiru", "Kofi", "Chipo", "Tendai", "Amina", "Joseph", "Esther", "Peter",
                 "Abebe", "Thandiwe"],
                ["Mwangi", "Okafor", "Mensah", "Banda", "Phiri", "Otieno", "Moyo", "Kamau", "Boateng", "Nkosi",
                 "Tesfaye", "Bangura"]),
    "Bangkok": (["Sophea", "Dara", "Anh", "Linh", "Rahim", "Priya", "Sunil", "Ayesha", "Maria", "Putri", "Bounmy",
                 "Thiri"],
                ["Sok", "Chan", "Tran", "Nguyen", "Rahman", "Sharma", "Khan", "Santos", "Reyes", "Wijaya",
                 "Phommachanh", "Aung"]),
    "Panama City": (["María", "Carlos", "Ana", "José", "Lucía", "Diego", "Sofía", "Luis", "Camila", "Jorge"],
                    ["García", "Rodríguez", "Mendoza", "López", "Hernández", "Flores", "Castillo", "Morales",
                     "Vargas", "Rojas"]),
    None: (["Ahmed", "Fatima", "Omar", "Layla", "Hassan", "Zainab", "Abdi", "Aigul", "Rustam", "Nadia", "Jean",
            "Marie"],
           ["Hassan", "Ali", "Haddad", "Karimi", "Abdullahi", "Osman", "Noor", "Abdyldaev", "Rahimov", "Pierre",
            "Mugisha", "Kabila"]),
    "international": (["Elena", "Pierre", "Anna", "Marco", "Sarah", "David", "Ingrid", "Hiroshi", "Laura", "Tomás",
                       "Claire", "Rajesh"],
                      ["Rossi", "Dubois", "Müller", "Smith", "Jensen", "Tanaka", "Novak", "Petrova", "Silva",
                       "O'Brien", "Lindqvist", "Menon"]),
}  # fmt: skip
HUB_OF = {iso3: hub for hub, codes in SUN_COUNTRIES_BY_HUB.items() for iso3 in codes}
HUB_OF.update({"THA": "Bangkok", "ZAF": "Nairobi"})  # regional offices outside SUN countries

# International calling codes of the countries demo people are based in (ITU-T E.164 assignments).
CALLING_CODES = {
    "AFG": 93, "BDI": 257, "BEN": 229, "BFA": 226, "BGD": 880, "BWA": 267, "CAF": 236, "CIV": 225, "CMR": 237,
    "COD": 243, "COG": 242, "COM": 269, "CRI": 506, "DJI": 253, "ECU": 593, "ETH": 251, "GAB": 241, "GHA": 233,
    "GIN": 224, "GMB": 220, "GNB": 245, "GTM": 502, "HND": 504, "HTI": 509, "IDN": 62, "KEN": 254, "KGZ": 996,
    "KHM": 855, "LAO": 856, "LBR": 231, "LKA": 94, "LSO": 266, "MDG": 261, "MLI": 223, "MMR": 95, "MOZ": 258,
    "MRT": 222, "MWI": 265, "NAM": 264, "NER": 227, "NGA": 234, "NPL": 977, "PAK": 92, "PAN": 507, "PER": 51,
    "PHL": 63, "PNG": 675, "RWA": 250, "SDN": 249, "SEN": 221, "SLE": 232, "SLV": 503, "SOM": 252, "SSD": 211,
    "STP": 239, "SWZ": 268, "TCD": 235, "TGO": 228, "TJK": 992, "TLS": 670, "TZA": 255, "UGA": 256, "VNM": 84,
    "YEM": 967, "ZMB": 260, "ZWE": 263, "ITA": 39, "THA": 66, "ZAF": 27,
}  # fmt: skip

# What an activity costs: log-normal around a median that depends on its kind of work (a policy
# brief costs less than a national survey or an emergency response), so most activities cost tens of
# thousands of dollars and a few several hundred thousand; (median, largest) in USD.
COSTS = {"evidence": (50_000, 750_000), "advocacy": (20_000, 200_000), "knowledge": (22_000, 200_000),
         "capacity": (45_000, 750_000), "emergency": (80_000, 750_000)}  # fmt: skip
COST_SIGMA, COST_MIN = 0.85, 5_000


def ascii_slug(text: str) -> str:
    """ "Aïssatou O'Brien" -> "aissatou.obrien": what an e-mail address's local part may hold."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join("".join(c for c in word if c.isalnum()) for word in plain.lower().split())


def team_country_name(country: Country) -> str:
    """ "Congo, The Democratic Republic of the" -> "Democratic Republic of the Congo"."""
    name = country.name
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}".removeprefix("The ")
    return name


def quick_hash(password: str) -> str:
    """The password hashed with a tenth of PBKDF2's iterations (a second less per account at set-up);
    Django hashes it again at full strength the first time the account signs in."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=max(1, hasher.iterations // 10))
    return make_password(password)


def aware(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def round_money(amount: float) -> Decimal:
    step = 500 if amount < 100_000 else 5_000
    return Decimal(int(round(amount / step)) * step)


@dataclass
class Version:
    """A row of a record's history: its values then (`overrides` on top of the final ones)."""

    type: str  # "+" created, "~" changed
    when: dt.datetime
    user: User | None
    overrides: dict = field(default_factory=dict)


class DemoResult(Counter):
    """Rows created per model (a Counter, as before), and the printed accounts with their passwords."""

    def __init__(self, counts=(), accounts=None):
        super().__init__(counts)
        self.accounts: list[dict] = accounts or []


@dataclass
class Batch:
    """Unsaved rows, grouped by model and written in dependency order, then their history."""

    rows: dict[type, list] = field(default_factory=dict)
    versions: dict[int, list[Version]] = field(default_factory=dict)

    def add(self, obj, *versions: Version):
        self.rows.setdefault(type(obj), []).append(obj)
        if versions:
            self.versions[id(obj)] = list(versions)
        return obj

    def save(self, *models_in_order) -> Counter[str]:
        counts: Counter[str] = Counter()
        saved = {}
        for model in models_in_order:
            objs = self.rows.get(model, [])
            # Copy the ids of already inserted parents onto the FK columns.
            for obj in objs:
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.is_cached(obj):
                        parent = getattr(obj, f.name)
                        if parent is not None and getattr(obj, f.attname) is None:
                            setattr(obj, f.attname, parent.pk)
            # Rows pointing at rows of their own model (a subnational group's country team) go after them.
            own = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
            first = [o for o in objs if not any(getattr(o, f.name) is not None for f in own)]
            model.objects.bulk_create(first, batch_size=2000)
            placed = {id(o) for o in first}
            rest = [o for o in objs if id(o) not in placed]
            for obj in rest:
                for f in own:
                    setattr(obj, f.attname, getattr(obj, f.name).pk)
            model.objects.bulk_create(rest, batch_size=2000)
            counts[model._meta.label] += len(objs)
            saved[model] = objs
        for model, objs in saved.items():
            if hasattr(model, "history") and objs:
                self.save_history(model, objs)
        return counts

    def save_history(self, model, objs):
        """One historical row per version of each record, and the snapshot of its many-to-many fields."""
        history = model.history.model
        names = [f.attname for f in history.tracked_fields]
        rows, owners = [], []
        for obj in objs:
            for version in self.versions.get(id(obj)) or [Version("+", aware(timezone.localdate()), None)]:
                values = {name: getattr(obj, name) for name in names}
                values.update(version.overrides)
                rows.append(
                    history(
                        history_date=version.when,
                        history_type=version.type,
                        history_user_id=version.user.pk if version.user else None,
                        history_change_reason="",
                        **values,
                    )
                )
                owners.append(obj)
        history.objects.bulk_create(rows, batch_size=2000)
        m2m_fields = getattr(history, "_history_m2m_fields", [])
        if not m2m_fields:
            return
        for m2m in m2m_fields:
            through = getattr(model, m2m.name).through
            own = next(f for f in through._meta.concrete_fields if f.is_relation and f.related_model is model)
            other = next(f for f in through._meta.concrete_fields if f.is_relation and f.related_model is not model)
            links = defaultdict(list)
            for row in self.rows.get(through, []):
                links[getattr(row, own.attname)].append(row)
            m2m_history = apps.get_model(history._meta.app_label, f"{history.__name__}_{m2m.name}")
            snapshots = [
                m2m_history(
                    history_id=row.history_id,
                    id=link.pk,
                    **{own.attname: obj.pk, other.attname: getattr(link, other.attname)},
                )
                for row, obj in zip(rows, owners, strict=True)
                for link in links.get(obj.pk, [])
            ]
            m2m_history.objects.bulk_create(snapshots, batch_size=2000)


class Generator:
    def __init__(self, seed: int, years: list[int], as_of: dt.date):
        self.rng = random.Random(seed)
        self.years = years
        self.as_of = as_of
        self.batch = Batch()
        self.agencies = {a.acronym: a for a in Agency.objects.all()}
        self.areas = {a.code: a for a in ActionArea.objects.all()}
        self.targets = {t.code: t for t in SdgTarget.objects.filter(code__in=NUTRITION_TARGETS)}
        self.topics = [t for t in TOPICS if any(a in self.agencies for a in t.leads)]
        self.emails = {e.lower() for e in Person.objects.exclude(email="").values_list("email", flat=True)}
        self.usernames = set(User.objects.values_list("username", flat=True))
        self.countries = {c.iso_alpha3: c for c in Country.objects.filter(iso_alpha3__in=list(CALLING_CODES))}
        self.users: dict[int, User] = {}  # by id() of the person
        self.accounts: dict[str, User] = {}
        self.passwords: dict[str, str] = {}
        self.account_teams: dict[str, str] = {}
        first = dt.date(years[0] - 3, 1, 1)
        self.secretariat_person = self.person(
            self.countries.get("ITA"),
            self.agencies["FAO"],
            "Programme Officer, UN Nutrition Secretariat",
            first,
            pool="international",
        )
        self.secretariat = self.account(
            "secretariat", self.secretariat_person, first, team="UN Nutrition Secretariat", is_secretariat=True
        )

    # -- people and accounts -----------------------------------------------------

    def person(self, country, agency, title, since: dt.date, pool=None, organization="") -> Person:
        rng = self.rng
        if pool is None:
            pool = "international" if rng.random() < 0.35 else HUB_OF.get(country.iso_alpha3) if country else None
        firsts, lasts = NAMES[pool if pool in NAMES else None]
        first, last = rng.choice(firsts), rng.choice(lasts)
        domain = f"{ascii_slug(agency.acronym).replace('.', '')}.example.org" if agency else "gov.example.org"
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        code = CALLING_CODES.get(country.iso_alpha3, 41) if country else 41
        person = Person(
            name=f"{first} {last}",
            title=title,
            agency=agency,
            organization=organization,
            country=country,
            email=email,
            phone=f"+{code} {rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            is_demo=True,
        )
        return self.batch.add(person, Version("+", aware(since), getattr(self, "secretariat", None)))

    def user_for(self, person: Person, since: dt.date) -> User:
        """The person's portal account (without a usable password: nobody signs in as them)."""
        if id(person) in self.users:
            return self.users[id(person)]
        first, _, last = person.name.partition(" ")
        base = f"{DEMO_USERNAME_PREFIX}{person.email.split('@')[0]}"
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        return self._user(username, person, since, first, last, password=None)

    def account(self, key: str, person: Person | None, since: dt.date, team: str = "", **flags) -> User:
        """A printed demo account: random password, shown once."""
        username = {k: u for k, u, _ in ACCOUNTS}[key]
        self.account_teams[key] = team
        password = secrets.token_urlsafe(12)
        if person is not None:
            first, _, last = person.name.partition(" ")
        else:
            first, last = "Demo", "Viewer"
        user = self._user(username, person, since, first, last, password=None, **flags)
        user.password = quick_hash(password)
        self.accounts[key] = user
        self.passwords[key] = password
        return user

    def _user(self, username, person, since, first, last, password, **flags) -> User:
        self.usernames.add(username)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=person.email if person else f"{username}@example.org",
            person=person,
            password=make_password(password),
            **flags,
        )
        if person is not None:
            self.users[id(person)] = user
        return self.batch.add(user, Version("+", aware(since), None))

    # -- teams -------------------------------------------------------------------

    def country_team(self, country: Country, subdivisions: list[int]):
        rng, batch = self.rng, self.batch
        before = self.years[0] - 1
        established = dt.date(rng.randint(min(2014, before), before), rng.randint(1, 12), 1)
        name = f"UN Nutrition {team_country_name(country)}"
        team = batch.add(
            Team(
                name=name,
                kind=Team.Kind.COUNTRY,
                country=country,
                established_on=established,
                meeting_frequency=rng.choice([MeetingFrequency.MONTHLY] * 3 + [MeetingFrequency.QUARTERLY]),
                works_with_resident_coordinator=rng.random() < 0.7,
                is_demo=True,
            ),
            Version("+", aware(established), self.secretariat),
        )
        members = ["UNICEF"] + [a for a in ("FAO", "WFP", "WHO") if rng.random() < 0.9]
        fragile = country.iso_alpha3 in FRAGILE_COUNTRIES
        for acronym, chance in OTHER_MEMBERS + (FRAGILE_MEMBERS if fragile else []):
            if acronym not in members and acronym in self.agencies and rng.random() < chance:
                members.append(acronym)
        team_info = self.members_and_conveners(team, country, members, established)
        platform = batch.add(
            Platform(
                name=rng.choice(PLATFORM_NAMES),
                country=country,
                government_led=True,
                is_sun_platform=True,
                functioning=rng.choices(Platform.Functioning.values, [30, 35, 15, 5, 15])[0],
                chairing_ministry=rng.choice(MINISTRIES),
                meeting_frequency=rng.choice([MeetingFrequency.MONTHLY, MeetingFrequency.QUARTERLY]),
                is_demo=True,
            ),
            Version("+", aware(established), self.secretariat),
        )
        batch.add(
            TeamPlatform(team=team, platform=platform, since=established),
            Version("+", aware(established), self.secretariat),
        )
        self.resources(team, fragile)
        team_info["subdivisions"] = subdivisions
        team_info["fragile"] = fragile
        return team_info

    def regional_group(self, region: Region, city: str, host: Country):
        rng, batch = self.rng, self.batch
        before = self.years[0] - 1
        established = dt.date(rng.randint(min(2016, before), before), rng.randint(1, 12), 1)
        team = batch.add(
            Team(
                name=f"{region.name} regional nutrition group",
                kind=Team.Kind.REGIONAL,
                region=region,
                established_on=established,
                meeting_frequency=MeetingFrequency.MONTHLY,
                notes=f"Regional nutrition advisers of the member agencies' regional offices in {city}.",
                is_demo=True,
            ),
            Version("+", aware(established), self.secretariat),
        )
        areas = [self.areas[c] for c in mechanism.JOINT_ACTION_AREAS if c in self.areas]
        for area in areas:
            batch.add(Team.action_areas.through(team=team, actionarea=area))
        info = self.members_and_conveners(team, host, list(REGIONAL_MEMBERS), established, regional=True)
        info["subdivisions"], info["fragile"] = [], False
        return info

    def members_and_conveners(self, team, country, members, established, regional=False):
        rng, batch = self.rng, self.batch
        member_rows, focal_points = {}, {}
        for acronym in members:
            agency = self.agencies[acronym]
            since = (
                established
                if rng.random() < 0.8
                else min(established + dt.timedelta(days=rng.randint(90, 900)), self.as_of - dt.timedelta(days=200))
            )
            since = max(since, established)
            member = batch.add(
                TeamMember(team=team, agency=agency, start_date=since), Version("+", aware(since), self.secretariat)
            )
            title = (
                f"Regional Nutrition Adviser, {acronym}"
                if regional
                else f"{FOCAL_POINT_TITLES.get(acronym, 'Programme Officer')}, {acronym}"
            )
            person = self.person(country, agency, title, since)
            batch.add(
                FocalPoint(member=member, person=person, start_date=since), Version("+", aware(since), self.secretariat)
            )
            member_rows[acronym] = member
            focal_points[acronym] = person
        terms = self.convener_terms(team, country, members, established, regional)
        return {"team": team, "members": members, "focal_points": focal_points, "terms": terms}

    def convener_terms(self, team, country, members, established, regional):
        """Consecutive convener terms from the team's start: about one team in eight hands over in the
        middle of this year, one in twelve has had no convener for a month or more."""
        rng, batch, as_of = self.rng, self.batch, self.as_of
        fate = rng.random()
        new_year = dt.date(as_of.year, 1, 1)
        handover_from, handover_to = dt.date(as_of.year, 3, 1), as_of - dt.timedelta(days=14)
        handover = fate < 0.125 and handover_to > handover_from
        vacant = 0.125 <= fate < 0.21
        conveners = [a for a in ("WFP", "UNICEF", "FAO", "WHO", "UNDP") if a in members] or members
        terms, start, previous = [], established, None
        while True:
            end = start + dt.timedelta(days=rng.randint(500, 1400))
            if handover and start < new_year <= end:
                end = handover_from + dt.timedelta(days=rng.randint(0, (handover_to - handover_from).days))
            final = end >= as_of
            if final and vacant and (as_of - start).days > 60:
                end = as_of - dt.timedelta(days=rng.randint(30, min(200, (as_of - start).days - 30)))
            elif final:
                end = None
            by_rc = not regional and rng.random() < 0.08
            agency = None
            if by_rc:
                head = self.person(
                    country,
                    None,
                    "UN Resident Coordinator",
                    start,
                    pool="international",
                    organization="Office of the UN Resident Coordinator",
                )
            else:
                agency = self.agencies[rng.choice([a for a in conveners if a != previous] or conveners)]
                title = (
                    f"Regional Director, {agency.acronym}"
                    if regional
                    else f"{HEAD_TITLES.get(agency.acronym, 'Head of Office')}, {agency.acronym}"
                )
                head = self.person(country, agency, title, start, pool="international" if rng.random() < 0.7 else None)
            versions = [Version("+", aware(start), self.secretariat, {"end_date": None})]
            if end is not None:
                versions.append(Version("~", aware(end, 17), self.secretariat))
            terms.append(
                batch.add(
                    ConvenerTerm(
                        team=team,
                        role="convener",
                        agency=agency,
                        by_resident_coordinator=by_rc,
                        person=head,
                        start_date=start,
                        end_date=end,
                    ),
                    *versions,
                )
            )
            previous = agency.acronym if agency else None
            if end is None or final:
                break
            start = end + dt.timedelta(days=1)
        if not regional and rng.random() < 0.15 and len(members) > 1:
            start = max(established, as_of - dt.timedelta(days=rng.randint(200, 1200)))
            agency = self.agencies[rng.choice([a for a in members if a != previous] or members)]
            title = f"{HEAD_TITLES.get(agency.acronym, 'Head of Office')}, {agency.acronym}"
            head = self.person(country, agency, title, start, pool="international")
            batch.add(
                ConvenerTerm(team=team, role="co_convener", agency=agency, person=head, start_date=start),
                Version("+", aware(start), self.secretariat),
            )
        return terms

    def resources(self, team, fragile):
        rng = self.rng
        for _ in range(rng.choices([0, 1, 2], [45, 40, 15])[0]):
            amount = math.exp(rng.gauss(math.log(400_000), 0.8))
            received = dt.date(rng.choice(self.years), rng.randint(1, 12), rng.randint(1, 28))
            if received > self.as_of:
                received = self.as_of - dt.timedelta(days=rng.randint(1, 60))
            topic = rng.choice([t for t in self.topics if fragile or not t.emergency])
            self.batch.add(
                ResourceMobilised(
                    team=team,
                    source=rng.choice(FUNDERS + (["Central Emergency Response Fund"] if fragile else [])),
                    amount=round_money(min(amount, 5_000_000)),
                    currency="USD",
                    purpose=f"Joint programme on {topic.name}",
                    received_on=received,
                ),
                Version("+", aware(received), self.secretariat),
            )

    def subnational_group(self, parent_info, subdivision_ids: list[int], names: dict[int, str]):
        rng, batch = self.rng, self.batch
        parent = parent_info["team"]
        country = parent.country
        established = min(
            parent.established_on + dt.timedelta(days=rng.randint(180, 1500)), self.as_of - dt.timedelta(days=90)
        )
        established = max(established, parent.established_on)
        first = names[subdivision_ids[0]]
        team = batch.add(
            Team(
                name=f"Nutrition working group, {first} ({team_country_name(country)})",
                kind=Team.Kind.SUBNATIONAL,
                country=country,
                parent=parent,
                established_on=established,
                meeting_frequency=rng.choice([MeetingFrequency.MONTHLY, MeetingFrequency.QUARTERLY]),
                notes="Provincial coordination of food security and nutrition, supported by UN agencies of the "
                "country team.",
                is_demo=True,
            ),
            Version("+", aware(established), self.secretariat),
        )
        for subdivision_id in subdivision_ids:
            batch.add(Team.subdivisions.through(team=team, subdivision_id=subdivision_id))
        supporters = rng.sample(parent_info["members"], min(len(parent_info["members"]), rng.randint(1, 2)))
        for acronym in supporters:
            agency = self.agencies[acronym]
            member = batch.add(
                TeamMember(team=team, agency=agency, start_date=established),
                Version("+", aware(established), self.secretariat),
            )
            person = self.person(country, agency, f"Field Nutrition Officer, {acronym}", established, pool=None)
            batch.add(
                FocalPoint(member=member, person=person, start_date=established),
                Version("+", aware(established), self.secretariat),
            )
        parent_info.setdefault("provinces", []).extend(subdivision_ids)

    # -- workplans ---------------------------------------------------------------

    def convener_on(self, info, day: dt.date) -> ConvenerTerm | None:
        for term in info["terms"]:
            if term.start_date <= day and (term.end_date is None or term.end_date >= day):
                return term
        return None

    def workplans(self, info, keep_current_draft=False):
        for year in self.years:
            if dt.date(year, 1, 1) > self.as_of:
                break
            self.workplan(info, year, keep_current_draft and year == self.as_of.year)

    def workplan(self, info, year: int, keep_draft: bool):
        rng, batch, as_of = self.rng, self.batch, self.as_of
        team = info["team"]
        drafted = dt.date(year - 1, 12, 1) + dt.timedelta(days=rng.randint(0, 50))
        drafted = min(drafted, as_of)
        # Most plans go in by March; some teams are late.
        late = rng.random() < 0.15
        submitted_on = dt.date(year, rng.randint(4, 7) if late else rng.randint(1, 3), rng.randint(1, 28))
        endorsed_on = submitted_on + dt.timedelta(days=int(rng.expovariate(1 / 25)) + 5)
        submitter = self.convener_on(info, submitted_on)
        drafter = self.user_for(info["focal_points"][rng.choice(info["members"])], drafted)
        status, versions = "draft", [Version("+", aware(drafted, 10), drafter)]
        submitted_by = endorsed_by = submitted_at = endorsed_at = None
        if not keep_draft and submitter is not None and submitted_on <= as_of:
            status = "submitted"
            submitted_by = self.user_for(submitter.person, submitter.start_date)
            submitted_at = aware(submitted_on, 11, rng.randint(0, 59))
            endorser_term = self.convener_on(info, endorsed_on)
            if endorsed_on <= as_of:
                status = "endorsed"
                endorsed_at = aware(endorsed_on, 15, rng.randint(0, 59))
                by_convener = endorser_term is not None and rng.random() < 0.5
                endorsed_by = (
                    self.user_for(endorser_term.person, endorser_term.start_date) if by_convener else (self.secretariat)
                )
        draft_values = {
            "status": "draft",
            "submitted_by_id": None,
            "submitted_at": None,
            "endorsed_by_id": None,
            "endorsed_at": None,
        }
        versions[0].overrides = draft_values
        if submitted_at:
            versions.append(
                Version(
                    "~",
                    submitted_at,
                    submitted_by,
                    {"status": "submitted", "endorsed_by_id": None, "endorsed_at": None},
                )
            )
        if endorsed_at:
            versions.append(Version("~", endorsed_at, endorsed_by))
        workplan = batch.add(
            Workplan(
                team=team,
                year=year,
                status=status,
                submitted_by=submitted_by,
                submitted_at=submitted_at,
                endorsed_by=endorsed_by,
                endorsed_at=endorsed_at,
                summary=f"Joint workplan of {team.name} for {year}, aligned with the national nutrition plan "
                f"and the Cooperation Framework.",
            ),
            *versions,
        )
        count = min(20, max(5, round(rng.triangular(5, 20, 10))))
        seen = set()
        for _ in range(count):
            self.activity(info, workplan, year, drafted, seen)

    def pick_topic(self, info, area_code: str) -> Topic:
        """A topic one of the team's agencies can lead, that suits the action area and the country."""
        members = set(info["members"])

        def fits(topic: Topic) -> bool:
            if not members & set(topic.leads) or (area_code == "emergency" and not topic.emergency):
                return False
            if topic.areas and area_code != "emergency" and area_code not in topic.areas:
                return False
            if topic.needs == "fragile":
                return info["fragile"]
            return not topic.needs or topic.needs in members

        return self.rng.choice([t for t in self.topics if fits(t)])

    def activity(self, info, workplan, year, drafted, seen):
        rng, batch, as_of = self.rng, self.batch, self.as_of
        area_weights = {
            "evidence": 20,
            "advocacy": 18,
            "knowledge": 14,
            "capacity": 36,
            "emergency": 12 if info["fragile"] else 3,
        }
        codes = [c for c in area_weights if c in self.areas]
        for _ in range(10):
            area_code = rng.choices(codes, [area_weights[c] for c in codes])[0]
            topic = self.pick_topic(info, area_code)
            title = f"{rng.choice(VERBS.get(area_code, ['Support to']))} {topic.name}"
            if title not in seen:
                break
        seen.add(title)
        lead = self.agencies[rng.choice([a for a in topic.leads if a in info["members"]])]
        others = [a for a in dict.fromkeys(topic.leads + topic.partners) if a in info["members"] and a != lead.acronym]
        participants = rng.sample(others, min(len(others), rng.choices([0, 1, 2, 3], [15, 40, 30, 15])[0]))

        # An annual plan: activities start in the year (mostly early) and end by 31 December.
        start = dt.date(year, rng.choices(range(1, 11), [18, 16, 14, 12, 10, 9, 7, 6, 5, 3])[0], rng.randint(1, 28))
        end = min(start + dt.timedelta(days=rng.randint(45, 300)), dt.date(year, 12, 31))
        median, largest = COSTS.get(area_code, (40_000, 750_000))
        required = round_money(min(max(math.exp(rng.gauss(math.log(median), COST_SIGMA)), COST_MIN), largest))

        # The status follows the dates: not started -> pipeline; over -> closed (100 %), in
        # finalisation (just ended), cancelled (nothing spent) or, this year, running late; running ->
        # implementation (progress about the time elapsed), rarely suspended or still in the pipeline.
        target, status, closed_on = 0, "pipeline", None
        if start > as_of:
            funded = rng.uniform(0, 0.7)
        elif end < as_of:
            roll = rng.random()
            if roll < 0.05:
                status, funded = "cancelled", rng.uniform(0, 0.4)
                closed_on = min(start + dt.timedelta(days=rng.randint(0, 90)), end)
            elif (as_of - end).days <= 60 and roll < 0.3:
                status, funded, target = "finalisation", rng.uniform(0.7, 1), rng.randint(85, 99)
            elif year == as_of.year and roll < 0.35:
                status, funded, target = "implementation", rng.uniform(0.5, 1), rng.randint(50, 90)
            else:
                status, funded, target = "closed", rng.uniform(0.6, 1), 100
                closed_on = min(end + dt.timedelta(days=rng.randint(0, 20)), as_of)
        else:
            roll = rng.random()
            if (as_of - start).days < 30 and roll < 0.4:
                funded = rng.uniform(0, 0.8)
            elif roll < 0.04:
                status, funded, target = "suspended", rng.uniform(0.3, 1), rng.randint(10, 60)
            else:
                elapsed = (as_of - start).days / max(1, (end - start).days)
                status, funded = "implementation", rng.uniform(0.4, 1)
                target = int(min(95, max(5, elapsed * 100 + rng.gauss(0, 12))))
        available = min(required, round_money(float(required) * funded))

        provinces = info.get("provinces") or info["subdivisions"]
        is_national = not provinces or rng.random() < 0.7
        lead_user = self.user_for(info["focal_points"][lead.acronym], drafted)
        activity = batch.add(
            Activity(
                workplan=workplan,
                title=title,
                description=f"Led by {lead.acronym}"
                + (f" with {', '.join(participants)}" if participants else "")
                + f": {topic.name}.",
                action_area=self.areas[area_code],
                lead_agency=lead,
                is_national=is_national,
                start_date=start,
                end_date=end,
                currency="USD",
                budget_required=required,
                budget_available=available,
                budget_spent=Decimal(0),
                status=status,
            ),
        )
        for acronym in participants:
            batch.add(Activity.participating_agencies.through(activity=activity, agency=self.agencies[acronym]))
        for code in rng.sample(topic.targets, rng.randint(1, len(topic.targets))):
            if code in self.targets:
                batch.add(Activity.sdg_targets.through(activity=activity, sdgtarget=self.targets[code]))
        if not is_national:
            for subdivision_id in rng.sample(provinces, min(len(provinces), rng.randint(1, 3))):
                batch.add(Activity.subdivisions.through(activity=activity, subdivision_id=subdivision_id))

        # Money spent follows the progress reported: all of it (or nearly) once closed, none if cancelled.
        last, reached = self.progress(activity, lead_user, start, end, status, target, closed_on)
        if status == "closed":
            activity.budget_spent = round_money(float(available) * rng.uniform(0.9, 1.0))
        elif reached:
            activity.budget_spent = round_money(float(available) * reached / 100 * rng.uniform(0.8, 1.1))
        activity.budget_spent = min(activity.budget_spent, available)
        activity.last_progress_at = aware(last, 10) if last else None
        versions = [
            Version(
                "+",
                aware(drafted, 10, rng.randint(0, 59)),
                lead_user,
                {"status": "pipeline", "budget_spent": Decimal(0), "last_progress_at": None},
            ),
        ]
        changed_on = last or closed_on
        if status != "pipeline" and changed_on:
            versions.append(Version("~", aware(changed_on, 10, 30), lead_user))
        batch.versions[id(activity)] = versions

    def progress(self, activity, author, start, end, status, target, closed_on) -> tuple[dt.date | None, int]:
        """Dated progress reports rising to `target`; returns the last one's date and percentage."""
        rng, as_of = self.rng, self.as_of
        if status in ("pipeline", "cancelled") or target <= 0:
            return None, 0
        stop = min(end, as_of) if status in ("closed", "finalisation") else as_of
        # Some running activities have gone quiet: no report for more than three months.
        if status == "implementation" and end >= as_of and rng.random() < 0.12:
            stop = as_of - dt.timedelta(days=rng.randint(95, 150))
        days, day = [], start + dt.timedelta(days=rng.randint(20, 45))
        while day <= stop:
            days.append(day)
            day += dt.timedelta(days=rng.randint(30, 75))
        if status == "closed":
            days.append(closed_on)
        if not days:
            return None, 0
        span = max(1, (days[-1] - start).days)
        percents: list[int] = []
        for n, day in enumerate(days):
            if n == len(days) - 1 and (status != "implementation" or stop >= as_of - dt.timedelta(days=30)):
                value = target
            else:
                value = min(target - 1, max(1, int(target * (day - start).days / span + rng.gauss(0, 5))))
            percents.append(max(value, percents[-1] if percents else 0))
        for n, (day, percent) in enumerate(zip(days, percents, strict=True)):
            update = ProgressUpdate(
                activity=activity,
                reported_on=day,
                percent_complete=percent,
                status=status if n == len(days) - 1 else "implementation",
                text=f"{percent}% of planned outputs delivered." if percent < 100 else "All planned outputs delivered.",
                author=author,
            )
            self.batch.add(update, Version("+", aware(day, 10), author))
        return days[-1], percents[-1]

    # -- accounts --------------------------------------------------------------------

    def demo_accounts(self, country_infos):
        """A convener and a focal point of one team (its plan for this year still a draft, so they can
        work on it), a focal point of another, and a viewer; the Secretariat officer exists already."""
        first_day = dt.date(self.years[0], 1, 1)
        chosen = next(
            (
                info
                for info in country_infos
                if (term := self.convener_on(info, self.as_of)) is not None
                and term.agency is not None
                and len(info["members"]) > 1
            ),
            None,
        )
        if chosen is not None:
            name = chosen["team"].name
            term = self.convener_on(chosen, self.as_of)
            self.account("convener", term.person, term.start_date, team=f"{name} ({term.agency.acronym})")
            colleague = next(a for a in chosen["members"] if a != term.agency.acronym)
            self.account("focal_point", chosen["focal_points"][colleague], first_day, team=f"{name} ({colleague})")
            chosen["keep_current_draft"] = True
            other = next((i for i in country_infos if i is not chosen), None)
            if other is not None:
                acronym = other["members"][0]
                self.account(
                    "other_focal_point",
                    other["focal_points"][acronym],
                    first_day,
                    team=f"{other['team'].name} ({acronym})",
                )
        self.account("viewer", None, first_day)

    def printed_accounts(self) -> list[dict]:
        return [
            {
                "role": role,
                "username": username,
                "password": self.passwords[key],
                "team": self.account_teams.get(key, ""),
            }
            for key, username, role in ACCOUNTS
            if key in self.accounts
        ]


def reference_team_names() -> set[str]:
    return {spec["team"]["name"] for spec in mechanism.TEAMS}


def reason_not_to_generate() -> str | None:
    """Why `make run` must not generate demo data here, or None for an empty database."""
    if Team.objects.filter(is_demo=True).exists():
        return "the demo data is already there"
    if Workplan.objects.exists() or Team.objects.exclude(name__in=reference_team_names()).exists():
        return "the database holds teams or workplans of its own"
    return None


def _history_of(model, queryset):
    return model.history.model.objects.filter(id__in=queryset.values("pk"))


def _protected_referrers(model, queryset, skip=()):
    """Rows of other models whose PROTECT foreign keys point into `queryset` (e.g. report runs of a team)."""
    for rel in model._meta.related_objects:
        if rel.on_delete is models.PROTECT and rel.related_model not in skip:
            yield rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset.values("pk")})


def _referenced(model, queryset):
    """`queryset` without the rows another row still points at with a PROTECT foreign key."""
    for rel in model._meta.related_objects:
        if rel.on_delete is models.PROTECT:
            pointing = rel.related_model._base_manager.exclude(**{f"{rel.field.attname}__isnull": True})
            queryset = queryset.exclude(pk__in=pointing.values(rel.field.attname))
    return queryset


def purge_demo_data() -> None:
    """Delete the demo teams and everything recorded on them (workplans, activities, progress, report
    runs about them), the demo platforms, accounts and people, and their history rows. Records of
    real teams are never touched; a demo person still named in a real record is kept."""
    demo_teams = Team.objects.filter(is_demo=True)
    team_owned = [m for m in apps.get_models() if getattr(m, "team_path", None) and hasattr(m, "history")]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        # History rows first, while the records they belong to can still be found.
        for model in team_owned:
            if model is Team:
                continue
            path = f"{model.team_path}__is_demo"
            _history_of(model, model._base_manager.filter(**{path: True})).delete()
        workplans = Workplan.objects.filter(team__is_demo=True)
        purge_results(workplans)  # their indicators' values are protected (unnutrition/demo_results.py)
        workplans.delete()
        for referrers in _protected_referrers(Team, demo_teams, skip=(Team, Workplan)):
            referrers.delete()
        _history_of(Team, demo_teams).delete()
        demo_teams.filter(parent__isnull=False).delete()
        demo_teams.delete()
        platforms = _referenced(Platform, Platform.objects.filter(is_demo=True))
        _history_of(Platform, platforms).delete()
        platforms.delete()
        users = User.objects.filter(username__startswith=DEMO_USERNAME_PREFIX)
        _history_of(User, users).delete()
        users.delete()
        people = _referenced(Person, Person.objects.filter(is_demo=True))
        _history_of(Person, people).delete()
        people.delete()


@transaction.atomic
@data_versions.writes(*data_versions.SCOPES)
def generate_demo_data(countries: int, years: int, seed: int, as_of: dt.date | None = None) -> DemoResult:
    """Replace the demo data with a fresh, reproducible set of `countries` teams over `years` years.

    Returns the rows created per model, with the printed accounts (user name, role, password, team).
    """
    as_of = as_of or timezone.localdate()
    purge_demo_data()
    if countries <= 0:
        return DemoResult()  # no demo: no teams, no people, no accounts
    generator = Generator(seed, list(range(as_of.year - years + 1, as_of.year + 1)), as_of)
    rng = generator.rng

    # Programme countries without a team of their own, in a reproducible order.
    candidates = list(
        Country.objects.filter(iso_alpha3__in=PROGRAMME_COUNTRIES)
        .exclude(teams__kind=Team.Kind.COUNTRY)
        .order_by("iso_alpha3")
    )
    chosen = sorted(rng.sample(candidates, min(countries, len(candidates))), key=lambda c: c.iso_alpha3)
    left = countries - len(chosen)

    # Provinces: each country's most common kind of subdivision (provinces, regions, districts...).
    by_country: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for country_id, pk, kind, name in (
        Subdivision.objects.filter(country__in=chosen)
        .order_by("country_id", "code")
        .values_list("country_id", "pk", "type", "name")
    ):
        by_country[country_id][kind].append((pk, name))
    provinces: dict[int, list[tuple[int, str]]] = {
        country_id: max(kinds.values(), key=len) for country_id, kinds in by_country.items()
    }
    names = {pk: name for rows in provinces.values() for pk, name in rows}

    infos = [generator.country_team(c, [pk for pk, _ in provinces.get(c.pk, [])]) for c in chosen]

    regional = []
    if left > 0:
        taken = set(Team.objects.filter(kind=Team.Kind.REGIONAL).values_list("region__name", flat=True))
        regions = {r.name: r for r in Region.objects.filter(name__in=[g[0] for g in REGIONAL_GROUPS])}
        hosts = {c.iso_alpha3: c for c in Country.objects.filter(iso_alpha3__in=[g[2] for g in REGIONAL_GROUPS])}
        for name, city, host in REGIONAL_GROUPS[:left]:
            if name in regions and name not in taken and host in hosts:
                regional.append(generator.regional_group(regions[name], city, hosts[host]))
        left -= len(regional)

    # Subnational groups, one province (or two or three neighbouring ones) each, round the country teams.
    free = {id(info): list(provinces.get(info["team"].country.pk, [])) for info in infos}
    for rows in free.values():
        rng.shuffle(rows)
    order = list(infos)
    rng.shuffle(order)
    while left > 0 and any(free[id(info)] for info in order):
        for info in order:
            rows = free[id(info)]
            if left <= 0 or not rows:
                continue
            take = [rows.pop() for _ in range(min(len(rows), rng.choices([1, 2, 3], [70, 20, 10])[0]))]
            generator.subnational_group(info, [pk for pk, _ in take], names)
            left -= 1

    generator.demo_accounts(infos)
    for info in infos + regional:
        generator.workplans(info, keep_current_draft=info.get("keep_current_draft", False))

    counts = generator.batch.save(
        Person,
        User,
        Team,
        Team.subdivisions.through,
        Team.action_areas.through,
        TeamMember,
        FocalPoint,
        ConvenerTerm,
        Platform,
        TeamPlatform,
        ResourceMobilised,
        Workplan,
        Activity,
        Activity.participating_agencies.through,
        Activity.sdg_targets.through,
        Activity.subdivisions.through,
        ProgressUpdate,
    )
    counts.update(
        generate_results(
            seed=seed, as_of=as_of, teams=[i["team"] for i in infos + regional], secretariat=generator.secretariat
        )
    )
    # Kept across reruns (not in the counts, which a rerun with the same seed repeats exactly).
    demo_calendar(generator.years + [as_of.year + 1], generator.secretariat)
    return DemoResult(+counts, generator.printed_accounts())


# The Secretariat's calendar (cycle.Deadline) as a demo year would have it, so My tasks, reminders and the
# calendar page have dates to work with. The workplan submission date is the data-quality checks' 31 March.
CALENDAR = (
    ("workplan_draft", 2, 15, 0),
    ("workplan_submission", 3, 31, 0),
    ("workplan_endorsement", 4, 30, 0),
    ("mid_year", 7, 31, 0),
    ("annual", 1, 31, 1),
)


def demo_calendar(years: list[int], secretariat) -> int:
    """The global deadlines of `years` that the calendar does not have yet (an officer's dates are kept)."""
    existing = set(Deadline.objects.filter(team=None, year__in=years).values_list("year", "kind"))
    new = [
        Deadline(year=year, kind=kind, due_on=dt.date(year + later, month, day))
        for year in years
        for kind, month, day, later in CALENDAR
        if (year, kind) not in existing
    ]
    Deadline.objects.bulk_create(new)
    Deadline.history.bulk_history_create(new, default_user=secretariat)
    return len(new)
