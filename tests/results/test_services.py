"""The results services: the rules a user meets, each refusal with its message and nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from core import versions
from core.services import StateConflict
from results import selectors, services
from results.models import Indicator, IndicatorValue, StandardIndicator, Target
from workplans import services as workplan_services
from workplans.models import Activity, Output, ProgressUpdate, Workplan

from ..factories import make_activity, make_user
from .conftest import YEAR, make_periods

pytestmark = pytest.mark.django_db


def stunting():
    return StandardIndicator.objects.get(code="sdg-2-2-1-stunting")


def make_indicator(plan, **data):
    targets = data.pop("targets", [{"year": YEAR, "period_kind": "annual", "value": "30"}])
    values = {"standard": stunting(), "baseline_value": Decimal("32.4"), "baseline_year": 2022, **data}
    return services.create_indicator(output=plan.output, user=plan.focal, data=values, targets=targets)


def messages_of(error) -> dict:
    return error.value.message_dict


# --- indicators ----------------------------------------------------------------------------------


def test_a_standard_indicator_keeps_the_catalogues_unit_and_name(plan):
    indicator = make_indicator(plan)
    assert (indicator.title, indicator.unit, indicator.direction, indicator.sdg_indicator) == (
        "Stunting among children under 5",
        "percent",
        "decrease",
        "2.2.1",
    )
    with pytest.raises(ValidationError) as error:
        services.create_indicator(
            output=plan.output, user=plan.focal, data={"standard": stunting(), "unit": "number", "title": "x"}
        )
    assert messages_of(error)["unit"] == [
        "Stunting among children under 5 is a standard indicator: its unit is percent."
    ]
    assert Indicator.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "targets", "field", "message"),
    [
        (
            {"title": "Coverage", "unit": "percent", "baseline_value": "120", "baseline_year": 2024},
            [],
            "baseline_value",
            "A percentage is between 0 and 100; 120 is not.",
        ),
        (
            {"title": "Platform meets", "unit": "yes_no", "baseline_value": "3", "baseline_year": 2024},
            [],
            "baseline_value",
            "This indicator is answered yes or no (1 for yes, 0 for no), not 3.",
        ),
        (
            {"title": "Women reached", "unit": "number"},
            [{"year": YEAR, "period_kind": "annual", "value": "5000"}],
            "baseline_year",
            "Give the baseline year before setting targets: a target is measured from a baseline.",
        ),
        (
            {"title": "Coverage", "unit": "percent", "baseline_value": "20", "baseline_year": 2024},
            [{"year": YEAR, "period_kind": "annual", "value": "140"}],
            "targets",
            "Target for the annual period of 2026: A percentage is between 0 and 100; 140 is not.",
        ),
        (
            {"title": "Policy adopted", "unit": "qualitative", "baseline_value": "1", "baseline_year": 2024},
            [],
            "baseline_value",
            "This indicator is qualitative: describe the result in words, without a number.",
        ),
        (
            {"title": "Coverage", "unit": "percent", "baseline_value": "20", "baseline_year": 2024},
            [{"year": 2040, "period_kind": "annual", "value": "40"}],
            "targets",
            "Targets are set for 2026 to 2031, not 2040.",
        ),
        (
            {"title": "Coverage", "unit": "percent", "baseline_value": "20", "baseline_year": 2027},
            [],
            "baseline_year",
            "The baseline is measured in 2026 or before.",
        ),
    ],
)
def test_bad_indicators_are_refused_with_a_message_and_nothing_is_saved(plan, data, targets, field, message):
    with pytest.raises(ValidationError) as error:
        services.create_indicator(output=plan.output, user=plan.focal, data=data, targets=targets)
    assert message in messages_of(error)[field]
    assert not Indicator.objects.exists() and not Target.objects.exists()


def test_indicators_are_planned_in_a_draft_by_the_team_only(plan):
    with pytest.raises(PermissionDenied, match="You cannot change this team's workplans."):
        services.create_indicator(output=plan.output, user=plan.other_focal, data={"standard": stunting()})
    Workplan.objects.filter(pk=plan.workplan.pk).update(
        status="submitted", submitted_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(StateConflict, match="outputs and their indicators are planned in drafts only"):
        services.create_indicator(output=plan.output, user=plan.focal, data={"standard": stunting()})
    # The Secretariat may still adjust a submitted plan.
    assert services.create_indicator(output=plan.output, user=plan.secretariat, data={"standard": stunting()}).pk


# --- values ----------------------------------------------------------------------------------------


def test_the_approval_cycle_enter_return_correct_approve(plan):
    indicator = make_indicator(plan)
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "33.1"})
    assert value.status == "submitted" and value.entered_by == plan.focal

    # A focal point does not decide at all.
    other_focal = make_user("focal_point", plan.team, agency="FAO")
    with pytest.raises(PermissionDenied, match="Only this team's conveners and the Secretariat"):
        services.approve_value(pk=value.pk, user=other_focal)

    with pytest.raises(ValidationError) as error:
        services.return_value(pk=value.pk, user=plan.convener, reason="  ")
    assert messages_of(error) == {"reason": ["Say why the value is returned: the team reads it to correct the value."]}
    returned = services.return_value(pk=value.pk, user=plan.convener, reason="The survey says 31.3, not 33.1.")
    assert (returned.status, returned.return_reason) == ("returned", "The survey says 31.3, not 33.1.")
    with pytest.raises(StateConflict, match="only a value awaiting approval is approved or returned"):
        services.approve_value(pk=value.pk, user=plan.convener)

    corrected = services.correct_value(pk=value.pk, user=plan.focal, data={"value": Decimal("31.3")})
    assert corrected.status == "submitted"
    approved = services.approve_value(pk=value.pk, user=plan.convener)
    assert (approved.status, approved.decided_by, approved.value) == ("approved", plan.convener, Decimal("31.3"))
    row = selectors.indicator_rows(Indicator.objects.filter(pk=indicator.pk))[0]
    # Mid-year without its own target: halfway from the baseline 32.4 to the annual 30 is 31.2.
    assert (row["latest_target"], row["status"]) == (Decimal("31.2"), "off_track")


def test_nobody_approves_a_value_they_entered_themselves(plan):
    indicator = make_indicator(plan)
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.convener, data={"value": "31"})
    for user in (plan.convener,):
        with pytest.raises(PermissionDenied) as error:
            services.approve_value(pk=value.pk, user=user)
        assert str(error.value) == (
            "You entered this value: another convener of the team or the Secretariat approves or returns it."
        )
    assert IndicatorValue.objects.get(pk=value.pk).status == "submitted"
    assert services.approve_value(pk=value.pk, user=plan.secretariat).status == "approved"


@pytest.mark.parametrize(
    ("unit", "typed", "field", "message"),
    [
        ("percent", {"value": "101"}, "value", "A percentage is between 0 and 100; 101 is not."),
        ("yes_no", {"value": "7"}, "value", "This indicator is answered yes or no (1 for yes, 0 for no), not 7."),
        ("number", {"value": "-4"}, "value", "This indicator counts something: it cannot be negative."),
        ("number", {}, "value", "Enter a number."),
        (
            "qualitative",
            {"value": "3"},
            "value",
            "This indicator is qualitative: describe the result in words, without a number.",
        ),
        ("qualitative", {"text": ""}, "text", "Describe the result in words."),
        (
            "percent",
            {"value": "20", "text": "about a fifth"},
            "text",
            "Only a qualitative indicator takes words here; give a number (and use the comment).",
        ),
    ],
)
def test_values_of_the_wrong_unit_or_range_are_refused(plan, unit, typed, field, message):
    indicator = services.create_indicator(
        output=plan.output, user=plan.focal, data={"title": "Indicator", "unit": unit}
    )
    with pytest.raises(ValidationError) as error:
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data=typed)
    assert messages_of(error)[field] == [message]
    assert not IndicatorValue.objects.exists()


def test_breakdowns_only_where_the_indicator_has_them(plan):
    indicator = make_indicator(plan)
    with pytest.raises(ValidationError) as error:
        services.enter_value(
            indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "30", "sex": "female"}
        )
    assert messages_of(error) == {"sex": ["This indicator is not broken down by sex."]}
    Indicator.objects.filter(pk=indicator.pk).update(by_sex=True)
    indicator.refresh_from_db()
    services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "30", "sex": "female"})
    with pytest.raises(ValidationError) as error:
        services.enter_value(
            indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "29", "sex": "female"}
        )
    assert "A value for this period and breakdown is already entered: correct it." in str(error.value)
    assert IndicatorValue.objects.count() == 1


def test_a_closed_period_locks_its_values_until_the_secretariat_unlocks_one_saying_why(plan):
    indicator = make_indicator(plan)
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"})
    services.approve_value(pk=value.pk, user=plan.convener)
    workplan_services.close_period(pk=plan.mid.pk, user=plan.secretariat)

    with pytest.raises(StateConflict, match="The Mid-year 2026 period is closed: values can no longer be entered"):
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "30", "sex": ""})
    with pytest.raises(StateConflict, match="its values are locked"):
        services.correct_value(pk=value.pk, user=plan.focal, data={"value": Decimal("30")})
    with pytest.raises(PermissionDenied, match="Only the Secretariat unlocks"):
        services.unlock_value(pk=value.pk, user=plan.convener, reason="typo")
    with pytest.raises(ValidationError):
        services.unlock_value(pk=value.pk, user=plan.secretariat, reason="")

    services.unlock_value(pk=value.pk, user=plan.secretariat, reason="The national survey was revised in August.")
    latest = IndicatorValue.history.filter(id=value.pk).order_by("-history_date").first()
    assert latest.history_change_reason == "The national survey was revised in August."
    corrected = services.correct_value(pk=value.pk, user=plan.focal, data={"value": Decimal("30.5")})
    approved = services.approve_value(pk=corrected.pk, user=plan.convener)
    assert services.is_locked(approved)  # locked again once decided
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal("30.5")


def test_values_are_for_the_workplans_year_and_by_the_team(plan):
    indicator = make_indicator(plan)
    next_mid, _next_annual = make_periods(YEAR + 1)
    with pytest.raises(ValidationError) as error:
        services.enter_value(indicator=indicator, period=next_mid, user=plan.focal, data={"value": "30"})
    assert messages_of(error) == {"period": ["This workplan is for 2026: enter values for a period of 2026."]}
    with pytest.raises(PermissionDenied, match="Only this team's focal points, conveners and the Secretariat enter"):
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.other_focal, data={"value": "30"})
    with pytest.raises(PermissionDenied):
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.viewer, data={"value": "30"})
    assert not IndicatorValue.objects.exists()


def test_reopening_a_period_needs_a_reason_kept_in_its_history(plan):
    workplan_services.close_period(pk=plan.mid.pk, user=plan.secretariat)
    with pytest.raises(PermissionDenied, match="Only the Secretariat sets reporting periods."):
        workplan_services.reopen_period(pk=plan.mid.pk, user=plan.convener, reason="late data")
    with pytest.raises(ValidationError):
        workplan_services.reopen_period(pk=plan.mid.pk, user=plan.secretariat, reason=" ")
    workplan_services.reopen_period(pk=plan.mid.pk, user=plan.secretariat, reason="Two teams sent data late.")
    plan.mid.refresh_from_db()
    assert not plan.mid.is_closed
    assert plan.mid.history.first().history_change_reason == "Two teams sent data late."


# --- progress updates belong to a period -----------------------------------------------------------------


def test_progress_goes_into_the_period_its_date_falls_in_unless_closed(plan):
    activity = make_activity(plan.workplan, output=plan.output)
    update = workplan_services.add_progress_update(
        activity=activity,
        user=plan.focal,
        reported_on=dt.date(YEAR, 5, 2),
        percent_complete=20,
        status="implementation",
        text="Started.",
    )
    assert update.period == plan.mid
    workplan_services.close_period(pk=plan.mid.pk, user=plan.secretariat)
    later = workplan_services.add_progress_update(
        activity=activity,
        user=plan.focal,
        reported_on=dt.date(YEAR, 5, 20),
        percent_complete=30,
        status="implementation",
        text="More.",
    )
    assert later.period == plan.annual
    with pytest.raises(ValidationError) as error:
        workplan_services.add_progress_update(
            activity=activity, user=plan.focal, reported_on=dt.date(YEAR, 5, 21), period=plan.mid,
            percent_complete=35, status="implementation", text="Late.",
        )  # fmt: skip
    assert messages_of(error) == {"period": ["The Mid-year 2026 period is closed: report in an open period."]}
    assert ProgressUpdate.objects.count() == 2


def test_an_activity_belongs_to_an_output_of_its_own_workplan(plan):
    other = Output.objects.create(workplan=Workplan.objects.create(team=plan.team, year=2027), title="Next year")
    with pytest.raises(ValidationError) as error:
        workplan_services.create_activity(
            workplan=plan.workplan,
            user=plan.focal,
            data={**activity_data(plan), "output": other},
        )
    assert messages_of(error) == {"output": ["This output belongs to another workplan."]}
    activity = workplan_services.create_activity(
        workplan=plan.workplan, user=plan.focal, data={**activity_data(plan), "output": plan.output}
    )
    assert activity.output == plan.output


def activity_data(plan):
    from agencies.models import Agency
    from workplans.models import ActionArea

    return {
        "title": "Roadmap costing",
        "action_area": ActionArea.objects.get(code="capacity"),
        "lead_agency": Agency.objects.get(acronym="WFP"),
        "start_date": dt.date(YEAR, 2, 1),
        "end_date": dt.date(YEAR, 11, 30),
    }


# --- copying a workplan, deleting, caching -----------------------------------------------------------


def test_copying_a_workplan_copies_outputs_indicators_and_next_years_targets_not_values(plan):
    activity = make_activity(plan.workplan, output=plan.output)
    indicator = make_indicator(
        plan,
        targets=[
            {"year": YEAR, "period_kind": "annual", "value": "30"},
            {"year": YEAR + 1, "period_kind": "annual", "value": "28.5"},
        ],
    )
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"})
    services.approve_value(pk=value.pk, user=plan.convener)

    result = workplan_services.copy_workplan(source=plan.workplan, year=YEAR + 1, user=plan.focal)
    new_output = result.workplan.outputs.get()
    assert new_output.title == plan.output.title
    assert Activity.objects.get(workplan=result.workplan).output == new_output
    copied = Indicator.objects.get(output=new_output)
    assert (copied.standard, copied.baseline_value, copied.baseline_year) == (stunting(), Decimal("32.40"), 2022)
    assert list(copied.targets.values_list("year", "period_kind", "value")) == [(YEAR + 1, "annual", Decimal("28.50"))]
    assert not copied.values.exists()
    assert indicator.values.count() == 1 and activity.workplan == plan.workplan


def test_a_workplan_or_output_with_reported_values_is_not_deleted(plan):
    indicator = make_indicator(plan)
    services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"})
    with pytest.raises(ValidationError, match="Values are reported against this output's indicators"):
        workplan_services.delete_output(pk=plan.output.pk, user=plan.focal)
    with pytest.raises(ValidationError, match="This workplan has reported results"):
        workplan_services.delete_workplan(pk=plan.workplan.pk, user=plan.focal)
    with pytest.raises(ValidationError, match="Values are reported for this indicator: it cannot be deleted."):
        services.delete_indicator(pk=indicator.pk, user=plan.focal)
    assert Output.objects.filter(pk=plan.output.pk).exists() and Indicator.objects.filter(pk=indicator.pk).exists()


def test_every_write_replaces_the_workplans_data_version(plan):
    """Cached answers and ETags are built under the data versions: a write must retire them."""
    indicator = make_indicator(plan)
    steps = [
        lambda: services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"}),
        lambda: services.approve_value(pk=IndicatorValue.objects.get().pk, user=plan.convener),
        lambda: workplan_services.close_period(pk=plan.mid.pk, user=plan.secretariat),
        lambda: services.unlock_value(pk=IndicatorValue.objects.get().pk, user=plan.secretariat, reason="revised"),
        lambda: workplan_services.update_output(pk=plan.output.pk, user=plan.focal, data={"position": 2}),
        lambda: services.update_indicator(pk=indicator.pk, user=plan.focal, data={"means_of_verification": "DHS"}),
        lambda: services.add_attachment(user=plan.focal, target=plan.workplan, data={"url": "https://example.org/tor"}),
    ]
    for step in steps:
        before = versions.current(versions.WORKPLANS)
        cache.set("unrelated", 1)
        step()
        assert versions.current(versions.WORKPLANS) != before
