"""Fixtures of the reports tests: a small, known coordination picture for a past year,
files under a temporary MEDIA_ROOT, and Celery tasks run in-process (except in the
real-worker tests, marked `services`)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import Agency
from teams.models import ConvenerTerm, Team, TeamMember
from unnutrition.celery import app as celery_app
from workplans.models import ActionArea, Activity, ProgressUpdate

from ..factories import make_activity, make_team, make_user, make_workplan

# A past year: its reports describe the 31st of December, whatever day the tests run.
YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Run Celery tasks in this process, as `make run` does, even when REDIS_URL is set (CI)."""
    if request.node.get_closest_marker("services"):
        yield
        return
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@dataclass
class Coordination:
    year: int
    cambodia: Team
    chad: Team
    lac: Team
    activities: dict[str, Activity]
    secretariat: object
    focal_point: object  # UNICEF's focal point in Cambodia
    chad_focal_point: object  # WHO's focal point in Chad
    viewer: object


def agency(acronym):
    return Agency.objects.get(acronym=acronym)


def make_coordination(year: int = YEAR) -> Coordination:
    """Cambodia (reference data) with a convener change and a workplan whose activities
    trip each activity check; Chad without a convener or workplan; the Latin America
    and Caribbean group (reference data) without a workplan."""
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    lac = Team.objects.get(name="Latin America and Caribbean regional nutrition group")
    ConvenerTerm.objects.filter(team=cambodia, role="convener").update(
        start_date=dt.date(year - 3, 1, 1), end_date=dt.date(year, 5, 31)
    )
    ConvenerTerm.objects.create(team=cambodia, role="convener", agency=agency("UNICEF"), start_date=dt.date(year, 6, 1))
    focal_point = make_user("focal_point", cambodia, agency="UNICEF", first_name="Sophea", last_name="Chan")

    chad = make_team("TCD")
    ConvenerTerm.objects.create(
        team=chad,
        role="convener",
        agency=agency("FAO"),
        start_date=dt.date(year - 2, 1, 1),
        end_date=dt.date(year, 3, 31),
    )
    TeamMember.objects.create(team=chad, agency=agency("WFP"), start_date=dt.date(year - 2, 1, 1))
    chad_focal_point = make_user("focal_point", chad, agency="WHO")

    workplan = make_workplan(cambodia, year, "endorsed", submitted_at=dt.datetime(year, 2, 1, tzinfo=dt.UTC))
    evidence = ActionArea.objects.get(code="evidence")
    activities = {
        "late": make_activity(
            workplan,
            title="Provincial nutrition survey",
            action_area=evidence,
            lead_agency=agency("UNICEF"),
            status="implementation",
            start_date=dt.date(year, 2, 1),
            end_date=dt.date(year, 9, 30),
            budget_required=Decimal("100000"),
            budget_available=Decimal("80000"),
            budget_spent=Decimal("60000"),
            last_progress_at=dt.datetime(year, 12, 1, tzinfo=dt.UTC),
        ),
        "not_started": make_activity(
            workplan,
            title="School meals scale-up",
            status="pipeline",
            start_date=dt.date(year, 11, 1),
            end_date=dt.date(year + 1, 6, 30),
            budget_required=Decimal("250000"),
        ),
        "stale": make_activity(
            workplan,
            title="Anaemia reduction campaign",
            status="implementation",
            start_date=dt.date(year, 1, 15),
            end_date=dt.date(year + 1, 3, 31),
            budget_required=Decimal("40000"),
            budget_available=Decimal("40000"),
            budget_spent=Decimal("10000"),
            last_progress_at=dt.datetime(year, 8, 1, tzinfo=dt.UTC),
        ),
        "closed": make_activity(
            workplan,
            title="Food systems dialogue",
            status="closed",
            start_date=dt.date(year, 3, 1),
            end_date=dt.date(year, 6, 30),
            currency="EUR",
            budget_required=Decimal("30000"),
            budget_available=Decimal("30000"),
            budget_spent=Decimal("30000"),
        ),
    }
    activities["late"].participating_agencies.set([agency("FAO"), agency("WHO")])
    ProgressUpdate.objects.create(
        activity=activities["late"],
        reported_on=dt.date(year, 12, 1),
        percent_complete=70,
        status="implementation",
        text="Field work done in 12 provinces.",
    )
    return Coordination(
        year=year,
        cambodia=cambodia,
        chad=chad,
        lac=lac,
        activities=activities,
        secretariat=make_user("secretariat", email="secretariat@example.org"),
        focal_point=focal_point,
        chad_focal_point=chad_focal_point,
        viewer=make_user("viewer"),
    )


@pytest.fixture
def coordination(db):
    return make_coordination()
