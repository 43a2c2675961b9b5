"""Reference data of funding and markers: activity tags (activity_tags.yml), the funders the
Secretariat starts its list with, and the brief's joint proposal of the Cambodia team.

Funders: the kinds of source every team has (an agency's own core resources, the government's budget)
and the Joint SDG Fund, the pooled fund the 2018 joint Executive Boards paper names; named donors are
added by the Secretariat in the admin. Called by services.load_reference_data; a second run writes nothing.
"""

from __future__ import annotations

import importlib.resources
from decimal import Decimal

import yaml

from teams.models import Team
from workplans.models import Funder, JointProposal, Tag

FUNDERS = [
    # code, kind, English name, names in the other languages
    (
        "agency-core-resources",
        Funder.Kind.AGENCY_CORE,
        "The contributing agency's core resources",
        {
            "fr": "Ressources de base de l'organisme contributeur",
            "es": "Recursos básicos del organismo contribuyente",
            "ru": "Основные ресурсы вносящего вклад учреждения",
            "ar": "الموارد الأساسية للوكالة المساهمة",
            "zh-hans": "出资机构的核心资源",
        },
    ),
    (
        "joint-sdg-fund",
        Funder.Kind.POOLED_FUND,
        "Joint SDG Fund",
        {
            "fr": "Fonds commun pour les ODD",
            "es": "Fondo Conjunto para los ODS",
            "ru": "Совместный фонд для ЦУР",
            "ar": "الصندوق المشترك لأهداف التنمية المستدامة",
            "zh-hans": "可持续发展目标联合基金",
        },
    ),
    (
        "national-government",
        Funder.Kind.GOVERNMENT,
        "National government budget",
        {
            "fr": "Budget de l'État",
            "es": "Presupuesto del gobierno nacional",
            "ru": "Государственный бюджет",
            "ar": "ميزانية الحكومة الوطنية",
            "zh-hans": "国家政府预算",
        },
    ),
]

# The brief: Cambodia "was among the first countries to finish the operational roadmap of the Global
# Action Plan on Child Wasting; joint proposals raised USD 3.5 million for it". It gives no donor and
# no dates: the proposal is recorded without them (the portal asks for dates once its status changes).
CAMBODIA_PROPOSAL = {
    "team": "UN Nutrition Cambodia",
    "title": "Operational roadmap of the Global Action Plan on Child Wasting",
    "agencies": ["FAO", "UNICEF", "WFP", "WHO"],
    "amount": Decimal("3500000.00"),
}


def load(loader) -> None:
    with (importlib.resources.files(__package__) / "activity_tags.yml").open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    for position, entry in enumerate(entries, start=1):
        names = dict(entry["name"])
        english = names.pop("en")
        loader.upsert(
            Tag,
            {"code": entry["code"]},
            {
                "group": entry["group"],
                "name": english,
                "name_translations": dict(sorted(names.items())),
                "position": position,
            },
        )
    for code, kind, name, translations in FUNDERS:
        loader.upsert(Funder, {"code": code}, {"kind": kind, "name": name, "name_translations": translations})
    team = Team.objects.filter(name=CAMBODIA_PROPOSAL["team"]).first()
    if team is not None and not JointProposal.objects.filter(team=team, title=CAMBODIA_PROPOSAL["title"]).exists():
        # Created once; afterwards it is the team's to keep (the loader never undoes their changes).
        proposal = loader.upsert(
            JointProposal,
            {"team": team, "title": CAMBODIA_PROPOSAL["title"]},
            {
                "currency": "USD",
                "amount_requested": CAMBODIA_PROPOSAL["amount"],
                "amount_approved": CAMBODIA_PROPOSAL["amount"],
                "status": JointProposal.Status.APPROVED,
            },
        )
        loader.set_m2m(proposal.agencies, [loader.agency(acronym) for acronym in CAMBODIA_PROPOSAL["agencies"]])
