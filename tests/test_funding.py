"""Contributions per agency, funders, joint proposals and markers: the write services' rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency
from teams.models import Team
from workplans import services
from workplans.models import Contribution, Funder, JointProposal, Tag

from .factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(cambodia):
    return make_activity(make_workplan(cambodia, 2026), budget_required=Decimal("100000"))


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia)


def agency(acronym):
    return Agency.objects.get(acronym=acronym)


def funder(code):
    return Funder.objects.get(code=code)


def test_reference_data_has_tags_in_six_languages_funders_and_cambodias_proposal():
    assert set(Tag.objects.values_list("group", flat=True)) == {"lnob", "nexus", "nutrition", "system", "initiative"}
    for tag in Tag.objects.all():
        assert set(tag.name_translations) == {"ar", "es", "fr", "ru", "zh-hans"}, tag.code
    assert Tag.objects.get(code="child-wasting-gap").localized_name("zh-hans") == "儿童消瘦问题全球行动计划"
    assert set(Funder.objects.values_list("kind", flat=True)) == {"agency_core", "pooled_fund", "government"}
    proposal = JointProposal.objects.get(team__name="UN Nutrition Cambodia")
    assert (proposal.status, proposal.amount_requested, proposal.currency) == ("approved", Decimal("3500000.00"), "USD")
    assert sorted(proposal.agencies.values_list("acronym", flat=True)) == ["FAO", "UNICEF", "WFP", "WHO"]


def test_available_is_the_sum_of_the_contributions_and_the_gap_follows(activity, focal):
    first = services.create_contribution(
        activity=activity,
        user=focal,
        data={"agency": agency("WFP"), "kind": "cash", "amount": Decimal("30000"), "funder": funder("joint-sdg-fund")},
    )
    services.create_contribution(
        activity=activity,
        user=focal,
        data={
            "agency": agency("WHO"),
            "kind": "staff_time",
            "amount": Decimal("5000"),
            "person_days": Decimal("40"),
            "funder": funder("agency-core-resources"),
        },
    )
    activity.refresh_from_db()
    assert activity.budget_available == Decimal("35000.00")
    services.update_contribution(pk=first.pk, user=focal, data={"amount": Decimal("45000")})
    activity.refresh_from_db()
    assert activity.budget_available == Decimal("50000.00")
    assert activity.budget_required - activity.budget_available == Decimal("50000.00")  # the gap
    # Typed over the contributions: refused with the reason, through the same service the form and API use.
    with pytest.raises(ValidationError, match="sum of the activity's contributions"):
        services.update_activity(pk=activity.pk, user=focal, data={"budget_available": Decimal("99")})
    services.delete_contribution(pk=first.pk, user=focal)
    activity.refresh_from_db()
    assert activity.budget_available == Decimal("5000.00")
    assert Contribution.history.filter(id=first.pk, history_type="-").exists()


def test_contribution_rules(activity, focal, chad):
    data = {"agency": agency("WFP"), "kind": "cash", "amount": Decimal("0"), "funder": funder("joint-sdg-fund")}
    with pytest.raises(ValidationError, match="Give an amount, or person-days"):
        services.create_contribution(activity=activity, user=focal, data=data)
    with pytest.raises(ValidationError, match="Person-days are for staff time"):
        services.create_contribution(activity=activity, user=focal, data={**data, "amount": 1, "person_days": 3})
    services.create_contribution(activity=activity, user=focal, data={**data, "amount": Decimal("10")})
    with pytest.raises(ValidationError, match="already has a line of this kind"):
        services.create_contribution(activity=activity, user=focal, data={**data, "amount": Decimal("20")})
    with pytest.raises(PermissionDenied):
        services.create_contribution(activity=activity, user=make_user("focal_point", chad), data=data)
    with pytest.raises(PermissionDenied):
        services.create_contribution(activity=activity, user=make_user("viewer"), data=data)
    retired = Funder.objects.create(code="old-donor", name="Old donor", kind="donor", is_active=False)
    with pytest.raises(ValidationError, match="no longer offered"):
        services.create_contribution(
            activity=activity, user=focal, data={**data, "amount": Decimal("5"), "funder": retired}
        )


def test_joint_proposal_lifecycle_and_rules(cambodia, focal, chad, activity):
    donor = Funder.objects.create(code="eu", name="European Union", kind="donor")
    proposal = services.create_proposal(
        team=cambodia,
        user=focal,
        data={
            "title": "Scaling up wasting treatment",
            "donor": donor,
            "agencies": [agency("UNICEF"), agency("WFP")],
            "amount_requested": Decimal("1200000"),
            "activities": [activity],
        },
    )
    assert proposal.status == "idea"
    with pytest.raises(ValidationError, match="says when it was submitted"):
        services.update_proposal(pk=proposal.pk, user=focal, data={"status": "submitted"})
    services.update_proposal(
        pk=proposal.pk, user=focal, data={"status": "submitted", "submitted_on": dt.date(2026, 3, 1)}
    )
    with pytest.raises(ValidationError, match="submitted, then decided, then received"):
        services.update_proposal(
            pk=proposal.pk, user=focal, data={"status": "approved", "decided_on": dt.date(2026, 2, 1)}
        )
    services.update_proposal(
        pk=proposal.pk,
        user=focal,
        data={"status": "approved", "decided_on": dt.date(2026, 5, 1), "amount_approved": Decimal("1000000")},
    )
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    chads = make_activity(make_workplan(chad, 2026))
    with pytest.raises(ValidationError, match="Not this team's activities"):
        services.update_proposal(pk=proposal.pk, user=focal, data={"activities": [chads]})
    with pytest.raises(PermissionDenied):
        services.update_proposal(pk=proposal.pk, user=make_user("focal_point", chad), data={"title": "x"})
    with pytest.raises(ValidationError, match="Name the agencies"):
        services.create_proposal(team=cambodia, user=focal, data={"title": "Alone", "agencies": []})
    assert Team.objects.get(pk=cambodia.pk).joint_proposals.count() == 2  # with the brief's


def test_markers_and_tags_on_activities(activity, focal):
    tags = list(Tag.objects.filter(code__in=["women-girls", "nutrition-specific", "child-wasting-gap"]))
    services.update_activity(
        pk=activity.pk, user=focal, data={"gender_marker": 2, "human_rights_marker": 1, "tags": tags}
    )
    activity.refresh_from_db()
    assert (activity.gender_marker, activity.human_rights_marker) == (2, 1)
    assert sorted(activity.tags.values_list("code", flat=True)) == sorted(t.code for t in tags)
    with pytest.raises(ValidationError):
        services.update_activity(pk=activity.pk, user=focal, data={"gender_marker": 4})
