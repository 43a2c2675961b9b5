"""The daily and weekly jobs and My tasks: deadline reminders 14 and 7 days before and on the day, then
every week while overdue (to the focal points, the convener in copy), each recorded once however often
the job runs; the Secretariat's weekly digest; and what a convener, a focal point and the Secretariat
find on My tasks, each with the link to where it is done."""

import datetime as dt
import html as html_text
import re

import pytest
from django.utils import timezone

from access.models import AccessRequest
from agencies.models import Agency
from cycle import delivery, services
from cycle.models import Deadline, Email, Kind, Notification
from results.models import Indicator, IndicatorValue, Target
from teams.models import ConvenerTerm
from workplans import endorsement
from workplans.models import Output, ProgressUpdate, ReportingPeriod

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 31)


def chad_reminders(world, **filters):
    return Notification.objects.filter(team=world.chad, kind__in=[Kind.DEADLINE_NEAR, Kind.DEADLINE_OVERDUE],
                                       **filters)  # fmt: skip


def test_reminders_14_and_7_days_before_on_the_day_then_every_week_overdue(world, mail_server):
    Deadline.objects.create(year=2026, kind=Deadline.Kind.WORKPLAN_SUBMISSION, due_on=DUE)
    people = {world.unicef.pk, world.who.pk, world.convener.pk}

    def run(days: int) -> set:
        before = set(chad_reminders(world).values_list("pk", flat=True))
        services.remind_deadlines(today=DUE + dt.timedelta(days=days))
        return set(chad_reminders(world).exclude(pk__in=before).values_list("recipient_id", "kind"))

    assert run(-15) == set()
    assert run(-14) == {(pk, Kind.DEADLINE_NEAR) for pk in people}
    assert run(-14) == run(-10) == run(-8) == set()  # the same stage: once, however often the job runs
    assert run(-7) == {(pk, Kind.DEADLINE_NEAR) for pk in people}
    assert run(-1) == set()
    assert run(0) == {(pk, Kind.DEADLINE_NEAR) for pk in people}
    assert run(1) == {(pk, Kind.DEADLINE_OVERDUE) for pk in people}
    assert run(6) == run(7) == set()
    assert run(8) == {(pk, Kind.DEADLINE_OVERDUE) for pk in people}  # every week it stays overdue
    assert run(15) == {(pk, Kind.DEADLINE_OVERDUE) for pk in people}
    # Cambodia's people hear only of Cambodia.
    assert not Notification.objects.filter(recipient=world.outsider, team=world.chad).exists()

    # The convener is in copy, the focal points are addressed; each e-mail links to the plan and to
    # the one-click settings.
    delivery.send_batch(worker="test")
    convener_mail = [m.get_content() for m in mail_server.received.to(world.convener.email)]
    focal_mail = list(mail_server.received.to(world.unicef.email))
    assert len(convener_mail) == len(focal_mail) == 6
    subjects = [m["Subject"] for m in focal_mail]
    assert sum("Due in 14 days: Workplan submitted for endorsement, UN Nutrition Chad" in s for s in subjects) == 1
    assert sum("Due today: Workplan submitted for endorsement" in s for s in subjects) == 1
    assert sum("Overdue by 15 days" in s for s in subjects) == 1
    assert all("You receive this in copy, as the team's convener." in body for body in convener_mail)
    assert not any("in copy" in m.get_content() for m in focal_mail)
    for body in convener_mail:
        assert f"/workplans/{world.plan.pk}/" in body and "The workplan is not submitted yet." in body
        assert re.search(r"http://\S+/notifications/e-mail/\S+/", body)

    # Once submitted, nobody is reminded of it any more.
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    assert run(22) == set()


def test_a_reminder_names_what_is_missing_for_a_report(world):
    period = ReportingPeriod.objects.create(year=2026, kind="mid_year", start_date=dt.date(2026, 1, 1),
                                           end_date=dt.date(2026, 6, 30), due_date=dt.date(2026, 7, 31))  # fmt: skip
    make_activity(world.plan, title="Cooking demonstrations", start_date=dt.date(2026, 3, 1))
    reported = world.plan.activities.get(title="Joint anaemia survey")
    ProgressUpdate.objects.create(activity=reported, period=period, reported_on=dt.date(2026, 6, 1),
                                  percent_complete=40, status="implementation", text="Field work")  # fmt: skip
    services.remind_deadlines(today=dt.date(2026, 7, 24))
    reminder = chad_reminders(world, recipient=world.unicef).get()
    assert reminder.params["days"] == 7 and reminder.params["deadline"] == "mid_year"
    assert reminder.params["missing"] == [{"what": "progress", "count": 1}]


def test_the_secretariat_digest_once_a_week(world, mail_server):
    Deadline.objects.create(year=2026, kind=Deadline.Kind.WORKPLAN_SUBMISSION, due_on=DUE)
    make_workplan(world.chad, 2025, status="endorsed", endorsed_at=timezone.now())
    Email.objects.create(recipient=world.unicef, to=world.unicef.email, language="en", key="lost",
                         status=Email.Status.FAILED, last_error="550 No such user")  # fmt: skip
    monday = dt.date(2026, 4, 6)
    assert services.secretariat_digest(today=monday) >= 1
    assert services.secretariat_digest(today=monday + dt.timedelta(days=2)) == 0  # the same week
    digest = Notification.objects.get(recipient=world.secretariat, kind=Kind.SECRETARIAT_DIGEST)
    assert {"team": "UN Nutrition Chad", "deadline": "workplan_submission", "due_on": "2026-03-31"} in digest.params[
        "behind"
    ]
    assert not Notification.objects.filter(recipient=world.convener, kind=Kind.SECRETARIAT_DIGEST).exists()
    delivery.send_batch(worker="test")
    [message] = mail_server.received.to(world.secretariat.email)
    assert re.match(r"\[UN Nutrition\] This week: \d+ teams? behind schedule", message["Subject"])
    body = message.get_content()
    assert "- UN Nutrition Chad: Workplan submitted for endorsement, due" in body
    assert "1 endorsed workplan waits for your acknowledgement." in body
    assert "1 e-mail could not be delivered" in body
    assert "/tasks/" in body
    assert services.secretariat_digest(today=monday + dt.timedelta(days=7)) >= 1  # the next week's


@pytest.fixture
def this_year(world):
    """The team's plan for the current year (My tasks shows this year's deadlines) with an annual
    reporting period: one activity reported, one not; one indicator with a target and no value."""
    year = timezone.localdate().year
    plan = world.plan if world.plan.year == year else make_workplan(world.chad, year)
    plan.activities.all().delete()
    reported = make_activity(plan, title="Joint anaemia survey", start_date=dt.date(year, 2, 1),
                             end_date=dt.date(year, 11, 30))  # fmt: skip
    make_activity(plan, title="Cooking demonstrations", start_date=dt.date(year, 3, 1), end_date=dt.date(year, 10, 31))
    period = ReportingPeriod.objects.create(year=year, kind="annual", start_date=dt.date(year, 1, 1),
                                            end_date=dt.date(year, 12, 31), due_date=dt.date(year + 1, 1, 31))  # fmt: skip
    ProgressUpdate.objects.create(activity=reported, period=period, reported_on=dt.date(year, 6, 1),
                                  percent_complete=40, status="implementation", text="Field work")  # fmt: skip
    output = Output.objects.create(workplan=plan, title="Anaemia evidence", position=1)
    indicator = Indicator.objects.create(output=output, title="Surveys completed")
    Target.objects.create(indicator=indicator, year=year, period_kind="annual", value=1)
    measured = Indicator.objects.create(output=output, title="Districts covered")
    Target.objects.create(indicator=measured, year=year, period_kind="annual", value=5)
    IndicatorValue.objects.create(indicator=measured, period=period, value=3, entered_by=world.unicef)
    return plan, period


def task_links(client, user) -> dict[str, str]:
    client.force_login(user)
    response = client.get("/tasks/")
    assert response.status_code == 200
    html = response.content.decode()
    return {html_text.unescape(text.strip()): href for href, text in re.findall(r'<li class="task[^"]*">\s*<a href="([^"]+)">([^<]+)</a>',
                                                            html)}  # fmt: skip


def test_my_tasks_for_the_convener_and_a_focal_point(world, this_year, client):
    plan, period = this_year
    year = plan.year
    Deadline.objects.create(year=year, kind=Deadline.Kind.WORKPLAN_ENDORSEMENT, due_on=timezone.localdate()
                            - dt.timedelta(days=2))  # fmt: skip
    # A plan of another year waits for the signatures; someone asks to join; the convener's roster
    # entry has not been confirmed for over a year.
    waiting = make_workplan(world.chad, year + 5)
    endorsement.submit_workplan(workplan=waiting, user=world.convener)
    newcomer = make_user("viewer", first_name="Moussa", last_name="Diallo")
    AccessRequest.objects.create(requester=newcomer, team=world.chad, agency=Agency.objects.get(acronym="WHO"))
    ConvenerTerm.objects.filter(person=world.convener.person).update(
        last_confirmed_at=timezone.now() - dt.timedelta(days=400)
    )

    focal = task_links(client, world.unicef)
    assert focal[f"Endorse or return the {year + 5} workplan (UNICEF)"] == f"/workplans/{waiting.pk}/endorsement/"
    assert focal[f"Annual report, {year}"] == f"/workplans/{plan.pk}/"
    assert focal[f"Workplan endorsed, {year}"] == f"/workplans/{plan.pk}/"
    page = client.get("/tasks/").content.decode()
    assert "1 activity has no progress update for this period." in page
    assert "1 indicator has no value for this period." in page
    assert not any(title.startswith("Decide") for title in focal)  # the convener decides, not a focal point

    convener = task_links(client, world.convener)
    assert convener[f"Endorse or return the {year + 5} workplan (WFP)"] == f"/workplans/{waiting.pk}/endorsement/"
    request = AccessRequest.objects.get(requester=newcomer)
    assert convener["Decide Moussa Diallo's request to be a focal point of WHO"] == f"/access/requests/{request.pk}/"
    assert convener["Approve or return 1 indicator value"] == f"/results/workplans/{plan.pk}/periods/{period.pk}/"
    assert convener["Confirm you still convene the team"] == f"/teams/{world.chad.pk}/"
    page = client.get("/tasks/").content.decode()
    overdue = page.split('id="overdue-title"')[1].split("</section>")[0]
    assert f"Workplan endorsed, {year}" in overdue and "Annual report" not in overdue

    # Cambodia's focal point sees nothing of Chad; the Secretariat sees Chad behind schedule.
    outsider = task_links(client, world.outsider)
    assert not any(href.endswith((f"/workplans/{plan.pk}/", f"/workplans/{waiting.pk}/endorsement/"))
                   for href in outsider.values())  # fmt: skip
    client.force_login(world.secretariat)
    page = client.get("/tasks/").content.decode()
    overdue = page.split('id="overdue-title"')[1].split("</section>")[0]
    assert "UN Nutrition Chad" in overdue and f"Workplan endorsed, {year}" in overdue


def test_the_tasks_page_costs_the_same_for_one_team_and_many(world, this_year, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import make_team

    client.force_login(world.convener)
    client.get("/tasks/")
    with CaptureQueriesContext(connection) as one:
        client.get("/tasks/")
    for iso in ("NER", "MLI"):
        team = make_team(iso)
        ConvenerTerm.objects.create(team=team, role="convener", agency=world.convener.person.agency,
                                    person=world.convener.person, start_date=dt.date(2021, 1, 1))  # fmt: skip
        plan = make_workplan(team, this_year[0].year)
        make_activity(plan, start_date=dt.date(plan.year, 2, 1), end_date=dt.date(plan.year, 5, 1))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/tasks/")
    assert response.content.decode().count("Annual report") == 3
