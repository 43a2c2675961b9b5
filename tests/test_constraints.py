"""Rules users would otherwise break: refused by the database, with a clear message in forms."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Agency, SteeringCommitteeSeat
from countries.models import Country
from teams.models import ConvenerTerm, Team
from workplans.models import ProgressUpdate, ResourceMobilised, Workplan

from .factories import make_activity, make_team, make_workplan

pytestmark = pytest.mark.django_db


def refused(build, message: str):
    """`build()` returns an unsaved object: full_clean names the problem, save() is refused by the database."""
    obj = build()
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert message in str(caught.value), caught.value
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_one_workplan_per_team_and_year(cambodia):
    make_workplan(cambodia, year=2025)
    refused(lambda: Workplan(team=cambodia, year=2025), "This team already has a workplan for this year.")
    assert Workplan.objects.filter(team=cambodia).count() == 1


def test_one_active_convener_per_team(cambodia):
    wfp_term = ConvenerTerm.objects.get(team=cambodia, role="convener")
    assert wfp_term.end_date is None and wfp_term.agency.acronym == "WFP"
    unicef = Agency.objects.get(acronym="UNICEF")
    refused(
        lambda: ConvenerTerm(team=cambodia, role="convener", agency=unicef, start_date=dt.date(2024, 1, 1)),
        "This team already has an active term in this role",
    )
    # A co-convener alongside the convener is fine.
    ConvenerTerm(team=cambodia, role="co_convener", agency=unicef, start_date=dt.date(2024, 1, 1)).full_clean()


def test_dated_convener_terms_cannot_overlap(chad):
    wfp, unicef = Agency.objects.get(acronym="WFP"), Agency.objects.get(acronym="UNICEF")
    ConvenerTerm.objects.create(
        team=chad, agency=unicef, start_date=dt.date(2018, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    overlapping = ConvenerTerm(team=chad, agency=wfp, start_date=dt.date(2020, 6, 1))
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert caught.value.message_dict["start_date"] == ["These dates overlap another convener term of this team."]
    # The day after the previous term ended is fine: "WFP since 2021, before that UNICEF".
    ConvenerTerm(team=chad, agency=wfp, start_date=dt.date(2021, 1, 1)).full_clean()


def test_convener_names_an_agency_or_the_resident_coordinator(chad):
    refused(lambda: ConvenerTerm(team=chad, role="convener"), "Name the convening agency")
    ConvenerTerm(team=chad, role="convener", by_resident_coordinator=True).full_clean()


@pytest.mark.parametrize(
    "build",
    [
        lambda team: ConvenerTerm(
            team=team, agency=Agency.objects.get(acronym="WFP"),
            start_date=dt.date(2022, 1, 1), end_date=dt.date(2021, 1, 1),
        ),
        lambda team: SteeringCommitteeSeat(
            agency=Agency.objects.get(acronym="UNDP"), seat_type="rotating",
            start_date=dt.date(2023, 1, 1), end_date=dt.date(2022, 12, 31),
        ),
    ],
    ids=["convener term", "steering committee seat"],
)  # fmt: skip
def test_end_date_after_start_date(build, chad):
    refused(lambda: build(chad), "The end date must be on or after the start date.")


def test_activity_end_date_after_start_date(chad):
    activity = make_activity(make_workplan(chad))
    activity.end_date = activity.start_date - dt.timedelta(days=1)
    refused(lambda: activity, "The end date must be on or after the start date.")


@pytest.mark.parametrize("field", ["budget_required", "budget_available", "budget_spent"])
def test_money_cannot_be_negative(field, chad):
    activity = make_activity(make_workplan(chad))
    setattr(activity, field, Decimal("-1.00"))
    refused(lambda: activity, "Ensure this value is greater than or equal to 0.")


def test_resources_mobilised_cannot_be_negative(chad):
    refused(
        lambda: ResourceMobilised(team=chad, source="Donor", amount=Decimal("-5"), purpose="x"),
        "Ensure this value is greater than or equal to 0.",
    )


def test_currency_must_be_iso_4217(chad):
    activity = make_activity(make_workplan(chad))
    activity.currency = "XYZ"
    with pytest.raises(ValidationError) as caught:
        activity.full_clean()
    assert caught.value.message_dict["currency"] == ["XYZ is not an ISO 4217 currency code."]


def test_agency_acronyms_are_unique_whatever_the_case():
    refused(
        lambda: Agency(acronym="wfp", name="Another", kind="fund_programme", membership="member"),
        "An agency with this acronym already exists.",
    )


def test_iso_codes_are_unique():
    refused(
        lambda: Country(iso_alpha2="KH", iso_alpha3="KHX", iso_numeric="999", name="Copy"),
        "Country with this ISO alpha-2 already exists.",
    )
    refused(
        lambda: Country(iso_alpha2="XX", iso_alpha3="KHM", iso_numeric="998", name="Copy"),
        "Country with this ISO alpha-3 already exists.",
    )


def test_one_country_team_per_country(cambodia):
    refused(
        lambda: Team(name="Second Cambodia team", kind="country", country=cambodia.country),
        "This country already has a country team.",
    )


def test_team_kind_needs_its_place():
    refused(lambda: Team(name="Nowhere team", kind="country"), "A country team must name its country.")
    refused(lambda: Team(name="Nowhere group", kind="regional"), "A regional group must name its region.")


def test_endorsed_workplan_records_when(chad):
    refused(
        lambda: Workplan(team=chad, year=2024, status="endorsed", submitted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        "An endorsed workplan records when it was endorsed.",
    )


def test_progress_cannot_exceed_100_percent(chad):
    activity = make_activity(make_workplan(chad))
    refused(
        lambda: ProgressUpdate(
            activity=activity, reported_on=dt.date(2026, 5, 1), percent_complete=120, status="implementation", text="x"
        ),
        "Ensure this value is less than or equal to 100.",
    )


def test_regional_office_names_its_agency():
    refused(
        lambda: Agency(acronym="ROX", name="Regional office", kind="regional_office", membership="none"),
        "A regional office must name the agency it belongs to.",
    )


def test_a_second_team_elsewhere_is_allowed():
    make_team("PER")
    assert Team.objects.filter(country__iso_alpha3="PER").count() == 1
