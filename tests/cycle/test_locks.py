"""After a period closes its data is read-only except for the Secretariat, who says why (kept in the
history): progress into a closed period, and a closed year's activities (its annual period closed)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from core.services import StateConflict
from workplans import services
from workplans.models import ProgressUpdate, ReportingPeriod

from ..api.conftest import WellBehavedClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world):
    mid = ReportingPeriod.objects.create(year=2026, kind="mid_year", start_date=dt.date(2026, 1, 1),
                                         end_date=dt.date(2026, 6, 30), due_date=dt.date(2026, 7, 31),
                                         closed_at=timezone.now())  # fmt: skip
    annual = ReportingPeriod.objects.create(year=2026, kind="annual", start_date=dt.date(2026, 1, 1),
                                            end_date=dt.date(2026, 12, 31), due_date=dt.date(2027, 1, 31))  # fmt: skip
    return mid, annual


def test_progress_into_a_closed_period_needs_the_secretariat_and_a_reason(world, closed):
    mid, _annual = closed
    activity = world.plan.activities.get()
    values = {"reported_on": dt.date(2026, 6, 1), "period": mid, "percent_complete": 50, "status": "implementation",
              "text": "Half done"}  # fmt: skip
    with pytest.raises(ValidationError, match="closed"):
        services.add_progress_update(activity=activity, user=world.unicef, **values)
    with pytest.raises(ValidationError) as missing:
        services.add_progress_update(activity=activity, user=world.secretariat, **values)
    assert "reason" in missing.value.message_dict
    update = services.add_progress_update(activity=activity, user=world.secretariat, reason="Late report by e-mail",
                                          **values)  # fmt: skip
    assert update.history.first().history_change_reason == "Late report by e-mail"
    assert ProgressUpdate.objects.count() == 1


def test_a_closed_year_is_read_only_for_the_team(world, closed):
    _mid, annual = closed
    annual.closed_at = timezone.now()
    annual.save()
    activity = world.plan.activities.get()
    with pytest.raises(StateConflict, match="read-only"):
        services.update_activity(pk=activity.pk, user=world.unicef, data={"budget_spent": 10})
    # Through the API (409, saying why) and the portal (the page says why).
    api = WellBehavedClient()
    api.force_authenticate(world.unicef)
    refused = api.patch(f"/api/v1/activities/{activity.pk}/", {"budget_spent": "10.00"}, format="json")
    assert refused.status_code == 409 and refused.json()["state"] == "locked"
    portal = Client()
    portal.force_login(world.unicef)
    page = portal.get(f"/workplans/activities/{activity.pk}/edit/")
    assert page.status_code == 403 and "read-only" in page.content.decode()
    # The Secretariat changes it, saying why.
    api.force_authenticate(world.secretariat)
    no_reason = api.patch(f"/api/v1/activities/{activity.pk}/", {"budget_spent": "10.00"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    done = api.patch(f"/api/v1/activities/{activity.pk}/", {"budget_spent": "10.00", "reason": "Audit correction"},
                     format="json")  # fmt: skip
    assert done.status_code == 200 and done.json()["budget_spent"] == "10.00"
    assert activity.history.first().history_change_reason == "Audit correction"
