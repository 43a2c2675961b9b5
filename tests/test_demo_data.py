"""generate_demo_data: believable, reproducible, replaceable, and never touching real records."""

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.validators import validate_email

from accounts.models import User
from countries.models import Person
from reports.models import ReportRun
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember, team_roles
from unnutrition.demo_data import NUTRITION_TARGETS, TOPICS, generate_demo_data
from unnutrition.reference_data.sun import PROGRAMME_COUNTRIES
from workplans.models import Activity, ProgressUpdate, Workplan

from .factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
NUTRITION_GOALS = {1, 2, 3, 5, 6, 12, 13, 17}


def snapshot():
    """The generated data by natural values (ids differ between runs)."""
    return {
        "teams": sorted(Team.objects.filter(is_demo=True).values_list("name", "kind", "established_on")),
        "people": sorted(Person.objects.filter(is_demo=True).values_list("name", "email", "phone", "title")),
        "users": sorted(User.objects.filter(username__startswith="demo-").values_list("username", "person__email")),
        "conveners": sorted(
            ConvenerTerm.objects.filter(team__is_demo=True).values_list(
                "team__name", "role", "agency__acronym", "person__email", "start_date", "end_date"
            ),
            key=str,
        ),
        "workplans": sorted(
            Workplan.objects.filter(team__is_demo=True).values_list(
                "team__name", "year", "status", "submitted_by__username", "submitted_at", "endorsed_at"
            ),
            key=str,
        ),
        "activities": sorted(
            Activity.objects.filter(workplan__team__is_demo=True).values_list(
                "workplan__team__name", "workplan__year", "title", "lead_agency__acronym", "start_date",
                "end_date", "budget_required", "budget_available", "budget_spent", "status", "is_national",
            ),
            key=str,
        ),
        "participants": sorted(
            Activity.participating_agencies.through.objects.filter(activity__workplan__team__is_demo=True)
            .values_list("activity__title", "activity__start_date", "agency__acronym"),
            key=str,
        ),
        "progress": sorted(
            ProgressUpdate.objects.filter(activity__workplan__team__is_demo=True).values_list(
                "activity__title", "reported_on", "percent_complete", "status"
            ),
            key=str,
        ),
        "history": Activity.history.filter(workplan__team__is_demo=True).count(),
    }  # fmt: skip


def demo_activities():
    return Activity.objects.filter(workplan__team__is_demo=True)


@pytest.fixture
def demo():
    return generate_demo_data(countries=12, years=3, seed=3, as_of=AS_OF)


def test_same_seed_gives_the_same_data_and_a_rerun_replaces_it():
    counts = generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    first = snapshot()
    assert len(first["teams"]) == 4
    assert counts["workplans.Workplan"] == 8
    assert 4 * 2 * 5 <= counts["workplans.Activity"] <= 4 * 2 * 20

    again = generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    assert again == counts
    assert snapshot() == first  # identical, and not doubled

    generate_demo_data(countries=4, years=2, seed=8, as_of=AS_OF)
    assert snapshot() != first


def test_the_calendar_has_each_years_deadlines_and_an_officers_dates_are_kept():
    from cycle.models import Deadline

    generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    years = [AS_OF.year - 1, AS_OF.year, AS_OF.year + 1]
    assert Deadline.objects.filter(team=None, year__in=years).count() == 3 * 5
    submission = Deadline.objects.get(team=None, year=AS_OF.year, kind="workplan_submission")
    assert submission.due_on == dt.date(AS_OF.year, 3, 31)  # the date the data-quality checks use
    assert Deadline.objects.get(team=None, year=AS_OF.year, kind="annual").due_on == dt.date(AS_OF.year + 1, 1, 31)
    Deadline.objects.filter(pk=submission.pk).update(due_on=dt.date(AS_OF.year, 4, 15))  # the officer moves it
    generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    assert Deadline.objects.get(pk=submission.pk).due_on == dt.date(AS_OF.year, 4, 15)
    assert Deadline.objects.filter(team=None, year__in=years).count() == 3 * 5


def test_teams_only_in_programme_countries_and_the_size_asked_for():
    generate_demo_data(countries=200, years=1, seed=42, as_of=AS_OF)
    teams = Team.objects.filter(is_demo=True)
    assert teams.count() == 200  # the benchmark size
    kinds = Counter(teams.values_list("kind", flat=True))
    # Every programme country but Cambodia (which has its real team) has a country team; regional
    # and subnational groups make up the rest.
    assert kinds["country"] == len(PROGRAMME_COUNTRIES) - 1 == 65
    assert kinds["regional"] == 6 and kinds["subnational"] == 200 - 65 - 6
    countries = set(teams.exclude(kind="regional").values_list("country__iso_alpha3", flat=True))
    assert countries <= set(PROGRAMME_COUNTRIES) and "KHM" not in countries
    assert not teams.filter(country__iso_alpha3__in=["NOR", "JPN", "MLT", "BMU", "HMD", "SGS"]).exists()
    for group in teams.filter(kind="subnational").select_related("parent"):
        assert group.parent.is_demo and group.parent.country_id == group.country_id
        assert group.subdivisions.exists() and not group.subdivisions.exclude(country=group.country_id).exists()
        assert group.members.exists() and not group.workplans.exists()
    # Subnational groups are supported by agencies of their country team.
    for member in TeamMember.objects.filter(team__kind="subnational", team__is_demo=True).select_related("team"):
        assert member.team.parent.members.filter(agency=member.agency_id).exists()


def test_real_teams_are_left_alone():
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    generate_demo_data(countries=300, years=1, seed=1, as_of=AS_OF)
    assert not Team.objects.filter(is_demo=True, country=cambodia.country).exists()
    generate_demo_data(countries=0, years=1, seed=1, as_of=AS_OF)
    assert Team.objects.filter(is_demo=True).count() == 0
    assert not User.objects.filter(username__startswith="demo-").exists()  # no demo, no demo accounts
    assert not Person.objects.filter(is_demo=True).exists()
    assert Team.objects.get(pk=cambodia.pk).members.count() == 4


def test_activity_counts_and_amounts_are_those_of_real_joint_workplans(demo):
    per_plan = Counter(demo_activities().values_list("workplan_id", flat=True))
    assert Workplan.objects.filter(team__is_demo=True).count() == len(per_plan) == (12 + 0) * 3
    assert min(per_plan.values()) >= 5 and max(per_plan.values()) <= 20
    required = [float(a) for a in demo_activities().values_list("budget_required", flat=True)]
    assert 20_000 <= statistics.median(required) <= 70_000  # mostly tens of thousands of dollars
    assert sum(10_000 <= r < 100_000 for r in required) / len(required) >= 0.6
    assert max(required) <= 750_000
    assert set(demo_activities().values_list("currency", flat=True)) == {"USD"}
    for activity in demo_activities().select_related("workplan"):
        assert activity.budget_spent <= activity.budget_available <= activity.budget_required
        assert activity.start_date.year == activity.end_date.year == activity.workplan.year


def test_lead_agencies_and_sdg_targets_fit_the_work(demo):
    topics = {topic.name: topic for topic in TOPICS}
    for activity in (
        demo_activities()
        .select_related("lead_agency", "workplan__team")
        .prefetch_related("participating_agencies", "sdg_targets__goal")
    ):
        topic = next(t for name, t in topics.items() if activity.title.endswith(name))
        assert activity.lead_agency.acronym in topic.leads, activity.title
        members = set(activity.workplan.team.members.values_list("agency__acronym", flat=True))
        assert activity.lead_agency.acronym in members
        assert {a.acronym for a in activity.participating_agencies.all()} <= members & set(topic.leads + topic.partners)
        targets = {t.code for t in activity.sdg_targets.all()}
        assert targets and targets <= set(topic.targets)
        assert {t.goal.number for t in activity.sdg_targets.all()} <= NUTRITION_GOALS
    assert not demo_activities().filter(sdg_targets__goal__number=4).exists()
    assert not demo_activities().filter(title__icontains="infant", lead_agency__acronym__in=["UNEP", "OCHA"]).exists()
    assert {code.split(".")[0] for code in NUTRITION_TARGETS} <= {str(g) for g in NUTRITION_GOALS}


def test_statuses_follow_dates_progress_and_money(demo):
    updates = defaultdict(list)
    for update in ProgressUpdate.objects.filter(activity__workplan__team__is_demo=True).order_by("reported_on", "id"):
        updates[update.activity_id].append(update)
    seen = Counter()
    for activity in demo_activities():
        reports = updates[activity.pk]
        percents = [u.percent_complete for u in reports]
        seen[activity.status] += 1
        assert percents == sorted(percents)  # progress never goes back
        assert all(activity.start_date <= u.reported_on <= AS_OF for u in reports)
        if reports:
            assert activity.last_progress_at.date() == reports[-1].reported_on
            assert reports[-1].status == activity.status
        else:
            assert activity.last_progress_at is None
        if activity.status == "closed":
            assert percents[-1] == 100 and activity.end_date <= AS_OF and activity.budget_spent > 0
        else:
            assert 100 not in percents
        if activity.status in ("cancelled", "pipeline"):
            assert activity.budget_spent == 0 and not reports
        if activity.status == "pipeline":
            assert activity.start_date > AS_OF or (AS_OF - activity.start_date).days < 30
        if activity.status in ("implementation", "suspended", "finalisation"):
            assert activity.start_date <= AS_OF
        if activity.status == "finalisation":
            assert 85 <= percents[-1] <= 99
        if activity.start_date > AS_OF:
            assert activity.status == "pipeline"
    assert {"closed", "implementation", "pipeline"} <= set(seen)


def test_workplans_past_draft_carry_their_workflow_stamps(demo):
    secretariat = User.objects.get(username="demo-secretariat")
    plans = Workplan.objects.filter(team__is_demo=True).select_related("submitted_by__person", "endorsed_by__person")
    assert set(plans.values_list("status", flat=True)) >= {"draft", "submitted", "endorsed"}
    for plan in plans:
        if plan.status == "draft":
            assert plan.submitted_by is None and plan.submitted_at is None and plan.endorsed_at is None
            continue
        day = plan.submitted_at.date()
        assert plan.submitted_at.year == plan.year and day <= AS_OF
        # Submitted by the team's convener of that day.
        assert ConvenerTerm.objects.filter(
            team=plan.team_id, role="convener", person=plan.submitted_by.person, start_date__lte=day
        ).exclude(end_date__lt=day)
        if plan.status == "endorsed":
            endorsed = plan.endorsed_at.date()
            assert plan.submitted_at < plan.endorsed_at and endorsed <= AS_OF
            assert plan.endorsed_by == secretariat or ConvenerTerm.objects.filter(
                team=plan.team_id, person=plan.endorsed_by.person, start_date__lte=endorsed
            ).exclude(end_date__lt=endorsed)
        else:
            assert plan.endorsed_by is None and plan.endorsed_at is None
    # A team without a convener today keeps this year's plan in draft.
    for team in Team.objects.filter(is_demo=True).coordinating().without_convener(AS_OF):
        assert team.workplans.get(year=AS_OF.year).status == "draft"


def test_some_conveners_hand_over_mid_year_and_some_teams_have_none():
    generate_demo_data(countries=40, years=2, seed=5, as_of=AS_OF)
    terms = ConvenerTerm.objects.filter(team__is_demo=True, role="convener")
    handovers = [
        term
        for term in terms.filter(end_date__year=AS_OF.year, end_date__month__gte=2)
        if terms.filter(team=term.team_id, start_date=term.end_date + dt.timedelta(days=1)).exists()
    ]
    assert len(handovers) >= 2
    without = Team.objects.filter(is_demo=True).coordinating().without_convener(AS_OF)
    assert 1 <= without.count() <= 10
    for team in Team.objects.filter(is_demo=True):  # never two conveners at once
        assert terms.filter(team=team, end_date__isnull=True).count() <= 1


def test_every_demo_record_has_its_history(demo, client):
    for model, rows in [
        (Team, Team.objects.filter(is_demo=True)),
        (TeamMember, TeamMember.objects.filter(team__is_demo=True)),
        (FocalPoint, FocalPoint.objects.filter(member__team__is_demo=True)),
        (ConvenerTerm, ConvenerTerm.objects.filter(team__is_demo=True)),
        (Person, Person.objects.filter(is_demo=True)),
        (Workplan, Workplan.objects.filter(team__is_demo=True)),
        (Activity, demo_activities()),
        (ProgressUpdate, ProgressUpdate.objects.filter(activity__workplan__team__is_demo=True)),
    ]:
        ids = set(rows.values_list("pk", flat=True))
        with_history = set(model.history.filter(id__in=ids).values_list("id", flat=True))
        assert ids and with_history == ids, model
    # An endorsed plan: created, submitted (by the convener), endorsed.
    plan = Workplan.objects.filter(team__is_demo=True, status="endorsed").first()
    assert [(h.history_type, h.status) for h in plan.history.order_by("history_date")] == [
        ("+", "draft"), ("~", "submitted"), ("~", "endorsed")
    ]  # fmt: skip
    assert plan.history.get(status="submitted").history_user == plan.submitted_by
    # The history pages answer, and an edit after the generated rows shows only what changed.
    activity = demo_activities().filter(participating_agencies__isnull=False).first()
    client.force_login(User.objects.get(username="demo-secretariat"))
    for url in (f"/history/workplans.Workplan/{plan.pk}/", f"/history/workplans.Activity/{activity.pk}/"):
        assert client.get(url).status_code == 200
    activity.title = "Renamed by a user"
    activity.save()
    body = client.get(f"/history/workplans.Activity/{activity.pk}/").content.decode()
    assert re.search(r"<ins>(<bdi[^>]*>)?Renamed by a user", body) and "Participating agencies" not in body


def test_a_record_without_history_rows_has_a_history_page_that_says_so(client, cambodia):
    plan = make_workplan(cambodia)
    plan.history.all().delete()
    client.force_login(make_user("viewer"))
    response = client.get(f"/history/workplans.Workplan/{plan.pk}/")
    assert response.status_code == 200
    assert "No recorded changes." in response.content.decode()
    assert client.get("/history/workplans.Workplan/999999/").status_code == 404


def test_people_have_valid_contact_details(demo):
    people = Person.objects.filter(is_demo=True)
    assert people.count() > 50
    for person in people:
        validate_email(person.email)
        person.full_clean()  # re-saving a demo person works: e-mail and phone pass the validators
    for user in User.objects.filter(username__startswith="demo-"):
        validate_email(user.email)


def test_demo_accounts_for_each_role(demo):
    accounts = {a["username"]: a for a in demo.accounts}
    assert list(accounts) == ["demo-secretariat", "demo-convener", "demo-focal-point", "demo-focal-point-2",
                              "demo-viewer"]  # fmt: skip
    users = {name: User.objects.get(username=name) for name in accounts}
    for name, user in users.items():
        assert user.check_password(accounts[name]["password"])
    assert len({a["password"] for a in accounts.values()}) == 5
    assert users["demo-secretariat"].is_secretariat
    convener, focal, other = (team_roles(users[n]) for n in ("demo-convener", "demo-focal-point", "demo-focal-point-2"))
    (team,) = convener.convener_of & {t.pk for t in Team.objects.filter(kind="country")}
    assert team in focal.focal_point_of and not focal.convener_of
    assert other.focal_point_of and team not in other.focal_point_of
    assert not team_roles(users["demo-viewer"]).team_ids and not users["demo-viewer"].is_secretariat
    # They can work on this year's plan: still a draft.
    assert Workplan.objects.get(team=team, year=AS_OF.year).status == "draft"
    # Everyone else the demo created may not sign in.
    others = User.objects.filter(username__startswith="demo-").exclude(username__in=accounts)
    assert others.exists() and not any(u.has_usable_password() for u in others)


def test_replacing_removes_what_was_recorded_on_demo_teams_only(demo, cambodia):
    """The second `generate_demo_data` used to fail on a report run pointing at a demo team."""
    team = Team.objects.filter(is_demo=True, kind="country").first()
    secretariat = make_user("secretariat")
    finished = {"status": "failed", "error": "Stopped"}  # not active: two runs may ask the same
    ReportRun.objects.create(kind="country", format="pdf", year=2026, team=team, requested_by=secretariat, **finished)
    real_run = ReportRun.objects.create(kind="country", format="pdf", year=2026, team=cambodia, **finished)
    real_activity = make_activity(make_workplan(cambodia))
    person = Person.objects.filter(is_demo=True, user__isnull=True, convener_terms__isnull=False).first()
    linked = make_user("viewer", username="amina")
    linked.person = person
    linked.save()

    generate_demo_data(countries=12, years=3, seed=3, as_of=AS_OF)
    assert list(ReportRun.objects.all()) == [real_run]
    assert Activity.objects.filter(pk=real_activity.pk).exists()
    linked.refresh_from_db()
    assert linked.person is None  # the demo person went with the demo data; the account stays
    assert Team.objects.filter(is_demo=True).count() == 12


def test_command_generates_into_an_empty_database_only(capsys):
    call_command("generate_demo_data", "--countries", "2", "--years", "1", "--seed", "5", "--as-of", "2026-06-30")
    out = capsys.readouterr().out
    assert "teams.Team: 2" in out and "rows in" in out
    assert "demo-convener" in out and "demo-viewer" in out
    before = snapshot()

    call_command("generate_demo_data", "--countries", "5", "--years", "1", "--seed", "9")
    out = capsys.readouterr().out
    assert "Demo data not generated: the demo data is already there" in out and "password" not in out
    assert snapshot() == before

    call_command("generate_demo_data", "--countries", "3", "--years", "1", "--seed", "9", "--replace", "--noinput")
    assert "teams.Team: 3" in capsys.readouterr().out
    assert Team.objects.filter(is_demo=True).count() == 3


def test_command_leaves_a_database_with_work_of_its_own(capsys, cambodia):
    make_workplan(cambodia)
    call_command("generate_demo_data", "--countries", "2", "--years", "1")
    assert "the database holds teams or workplans of its own" in capsys.readouterr().out
    assert not Team.objects.filter(is_demo=True).exists()


def test_replace_asks_first(monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(Exception, match="Cancelled"):
        call_command("generate_demo_data", "--countries", "2", "--years", "1", "--replace")
    assert "This deletes the demo teams" in capsys.readouterr().out
    assert not Team.objects.filter(is_demo=True).exists()


def test_demo_passwords_get_full_strength_at_the_first_sign_in(client, settings):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    result = generate_demo_data(countries=1, years=1, seed=2, as_of=AS_OF)
    password = next(a["password"] for a in result.accounts if a["username"] == "demo-viewer")

    def iterations():
        return int(User.objects.get(username="demo-viewer").password.split("$")[1])

    assert iterations() == PBKDF2PasswordHasher.iterations // 10  # quick to set up
    response = client.post("/accounts/login/", {"username": "demo-viewer", "password": password})
    assert response.status_code == 302
    assert iterations() == PBKDF2PasswordHasher.iterations  # full strength once it signed in
