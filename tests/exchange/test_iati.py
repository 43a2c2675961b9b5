"""IATI 2.03 activity XML of teams' joint workplans, validated against the official schema (the XSD that
pyIATI ships), with codes checked against the IATI codelists."""

from decimal import Decimal

import pytest
from lxml import etree

from agencies.models import Agency
from exchange import iati, iati_codelists
from results.models import Indicator, IndicatorValue, Target
from teams.models import Team
from workplans.models import Contribution, Funder, Output, SdgTarget, Tag

from ..factories import make_activity, make_team, make_user, make_workplan
from ..results.conftest import make_periods

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(iati_codelists.activity_schema())))


def validated(schema, workplan):
    document = etree.fromstring(iati.build(workplan))
    if not schema.validate(document):
        raise AssertionError("\n".join(str(error) for error in schema.error_log))
    return document


def agency(acronym):
    return Agency.objects.get(acronym=acronym)


@pytest.fixture
def cambodia_plan(cambodia):
    """A plan with contributions, markers, SDG targets and results with approved values."""
    workplan = make_workplan(cambodia, 2026, status="endorsed")
    output = Output.objects.create(workplan=workplan, title="Child wasting roadmap costed and funded", position=1)
    activity = make_activity(
        workplan,
        title="Costing of the child-wasting roadmap",
        output=output,
        lead_agency=agency("UNICEF"),
        budget_required=Decimal("120000"),
        budget_spent=Decimal("20000"),
        status="implementation",
        gender_marker=2,
        human_rights_marker=3,
    )
    activity.participating_agencies.set([agency("WFP"), agency("WHO")])
    activity.sdg_targets.set(SdgTarget.objects.filter(code__in=["2.1", "2.2"]))
    activity.tags.set(Tag.objects.filter(code__in=["children-under-five", "child-wasting-gap"]))
    Contribution.objects.create(
        activity=activity,
        agency=agency("UNICEF"),
        kind="cash",
        amount=Decimal("50000"),
        funder=Funder.objects.get(code="agency-core-resources"),
    )
    Contribution.objects.create(
        activity=activity,
        agency=agency("WFP"),
        kind="cash",
        amount=Decimal("30000"),
        funder=Funder.objects.get(code="joint-sdg-fund"),
    )
    Contribution.objects.create(
        activity=activity,
        agency=agency("WHO"),
        kind="technical_assistance",
        amount=Decimal("0"),
        person_days=Decimal("25"),
        funder=Funder.objects.get(code="agency-core-resources"),
    )
    mid, annual = make_periods(2026)
    indicator = Indicator.objects.create(
        output=output,
        title="Children 6-59 months treated for wasting",
        unit="number",
        baseline_value=Decimal("1200"),
        baseline_year=2025,
    )
    Target.objects.create(indicator=indicator, year=2026, period_kind="mid_year", value=Decimal("2000"))
    Target.objects.create(indicator=indicator, year=2026, period_kind="annual", value=Decimal("5000"))
    IndicatorValue.objects.create(indicator=indicator, period=mid, value=Decimal("1800"), status="approved")
    qualitative = Indicator.objects.create(
        output=output, title="Roadmap costed", unit="qualitative", baseline_text="Not costed", baseline_year=2025
    )
    Target.objects.create(indicator=qualitative, year=2026, period_kind="annual", text="Costed and validated")
    return workplan, activity


def test_a_plan_with_contributions_and_results_validates_and_says_what_it_should(schema, cambodia_plan):
    workplan, activity = cambodia_plan
    document = validated(schema, workplan)
    parent, child = document.findall("iati-activity")
    assert parent.get("hierarchy") == "1" and child.get("hierarchy") == "2"
    assert child.findtext("iati-identifier") == iati.identifier_of(workplan, activity)
    assert child.findtext("iati-identifier").startswith(document.find("iati-activity/reporting-org").get("ref"))
    # Agencies by their IATI organisation identifiers, with their roles from the OrganisationRole codelist.
    roles = {(org.get("ref"), org.get("role")) for org in child.findall("participating-org")}
    assert ("XM-DAC-41122", "2") in roles and ("XM-DAC-41122", "4") in roles  # UNICEF accountable, implementing
    assert ("XM-DAC-41140", "4") in roles and ("XM-DAC-928", "4") in roles  # WFP and WHO implementing
    assert ("XM-DAC-41122", "1") in roles  # UNICEF's core resources fund it
    assert child.find("recipient-country").get("code") == "KH"
    assert child.find("sector").attrib == {"vocabulary": "1", "code": "12240", "percentage": "100"}
    assert [tag.get("code") for tag in child.findall("tag")] == ["2.1", "2.2"]
    markers = {m.get("vocabulary"): (m.get("code"), m.get("significance")) for m in child.findall("policy-marker")}
    assert markers == {"1": ("1", "1"), "99": ("HRM", "2")}  # GEM 2 significant, HRM 3 principal
    assert child.find("activity-status").get("code") == "2"
    incoming = [t for t in child.findall("transaction") if t.find("transaction-type").get("code") == "11"]
    assert sorted(t.findtext("value") for t in incoming) == ["30000.00", "50000.00"]  # person-days carry no money
    spent = [t for t in child.findall("transaction") if t.find("transaction-type").get("code") == "4"]
    assert [t.findtext("value") for t in spent] == ["20000.00"]
    assert child.find("budget/value").text == "120000.00"
    # Results: the joint output with its indicators' baseline, targets and actual values per period.
    result = parent.find("result")
    assert result.findtext("title/narrative") == "Child wasting roadmap costed and funded"
    treated, costed = result.findall("indicator")
    assert treated.find("baseline").attrib == {"year": "2025", "value": "1200"}
    periods = [
        (
            p.find("period-start").get("iso-date"),
            p.find("target").get("value"),
            p.find("actual").get("value") if p.find("actual") is not None else None,
        )
        for p in treated.findall("period")
    ]
    assert periods == [("2026-01-01", "2000", "1800"), ("2026-01-01", "5000", None)]
    assert (
        costed.get("measure") == "5" and costed.find("period/target/comment/narrative").text == "Costed and validated"
    )
    assert [r.get("ref") for r in parent.findall("related-activity")] == [iati.identifier_of(workplan, activity)]


def test_every_code_is_in_its_codelist(cambodia_plan):
    workplan, _activity = cambodia_plan
    document = etree.fromstring(iati.build(workplan))
    checks = {
        "participating-org": ("role", "OrganisationRole"),
        "activity-status": ("code", "ActivityStatus"),
        "activity-date": ("type", "ActivityDateType"),
        "transaction-type": ("code", "TransactionType"),
        "budget": ("type", "BudgetType"),
        "recipient-country": ("code", "Country"),
        "policy-marker": ("significance", "PolicySignificance"),
        "tag": ("vocabulary", "TagVocabulary"),
        "result": ("type", "ResultType"),
        "indicator": ("measure", "IndicatorMeasure"),
    }
    for tag, (attribute, name) in checks.items():
        elements = document.iter(tag)
        found = [element.get(attribute) for element in elements]
        assert found, tag
        assert set(found) <= set(iati_codelists.codelist(name)), (tag, found)
    assert {org.get("type") for org in document.iter("participating-org") if org.get("type")} <= set(
        iati_codelists.codelist("OrganisationType")
    )


def test_several_teams_validate(schema, cambodia_plan):
    # A regional group (no recipient country), a team without activities, a plan of another team in draft.
    validated(schema, cambodia_plan[0])
    regional = Team.objects.get(name="Latin America and Caribbean regional nutrition group")
    plan = make_workplan(regional, 2026)
    make_activity(plan, title="Regional webinar on wasting", budget_required=Decimal("5000"), currency="EUR")
    document = validated(schema, plan)
    assert document.find("iati-activity/recipient-country") is None
    validated(schema, make_workplan(make_team("TCD"), 2026))
    chad_plan = make_workplan(Team.objects.get(country__iso_alpha3="TCD"), 2027)
    make_activity(chad_plan, title="=cmd|' /C calc'!A0", description="<script>&amp;</script>")
    document = validated(schema, chad_plan)
    assert document.find("iati-activity[@hierarchy='2']/title/narrative").text == "=cmd|' /C calc'!A0"


def test_agency_identifiers_are_iati_publishers_of_the_dac_multilateral_list():
    """The agencies' identifiers (agencies/identifiers.py) are XM-DAC prefixed codes: the prefix is in
    IATI's OrganisationRegistrationAgency codelist; the CRS channel codes among them name the agency."""
    from agencies.identifiers import IATI_ORGANISATION_IDENTIFIERS

    assert "XM-DAC" in iati_codelists.codelist("OrganisationRegistrationAgency")
    channels = iati_codelists.codelist("CRSChannelCode")
    for acronym, identifier in IATI_ORGANISATION_IDENTIFIERS.items():
        assert identifier.startswith("XM-DAC-"), acronym
        number = identifier.removeprefix("XM-DAC-")
        if number.startswith("41"):  # multilateral channel codes (WHO 928, IFAD 988 are DAC donor codes)
            ours, theirs = stems(Agency.objects.get(acronym=acronym).name), stems(channels[number])
            assert ours & theirs, (acronym, channels[number])


def stems(name: str) -> set[str]:
    """Distinctive words of a name, cut to five letters (Agriculture / Agricultural, Organization / -isation)."""
    words = "".join(ch if ch.isalpha() else " " for ch in name.lower()).split()
    return {word[:5] for word in words if len(word) >= 5} - {"unite", "natio", "offic"}


def test_portal_and_api_downloads(client, cambodia_plan):
    from rest_framework.test import APIClient

    workplan, _activity = cambodia_plan
    user = make_user("viewer")
    client.force_login(user)
    response = client.get(f"/exchange/workplans/{workplan.pk}/iati.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert b"<iati-activities" in response.content
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/workplan-files/{workplan.pk}/iati/")
    assert response.status_code == 200 and b"<iati-activities" in response.content
    assert APIClient().get(f"/api/v1/workplan-files/{workplan.pk}/iati/").status_code in (401, 403)
    assert api.get("/api/v1/workplan-files/999999/iati/").status_code == 404
