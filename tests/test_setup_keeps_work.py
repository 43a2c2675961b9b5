"""`make run` may be run again and again: the set-up it runs keeps everything people did in between.

The set-up is `make setup-data`, the recipe `make run` runs before serving (migrate, reference data,
demo data into an empty database only, the admin account). It runs here twice, as a newcomer would
run it, on a database file of its own, with a day of ordinary work between the two runs.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARGS = "--countries 3 --years 2 --seed 5"

WORK = """
import datetime as dt, json
from django.utils import timezone
from accounts.models import User
from agencies.models import Agency
from countries.models import Person
from reports.services import request_report
from teams.models import FocalPoint, Team, TeamMember, team_roles
from workplans import services
from workplans.models import Workplan

today = timezone.localdate()
admin = User.objects.get(username="admin")
convener = User.objects.get(username="demo-convener")
team = Team.objects.get(pk__in=team_roles(convener).convener_of, kind="country")
plan = Workplan.objects.get(team=team, year=today.year)
activity = plan.activities.order_by("pk").first()
services.update_activity(pk=activity.pk, user=convener, data={"title": "Costed plan agreed with the ministry"})
progress = services.add_progress_update(
    activity=activity, user=convener, reported_on=today, percent_complete=40, status="implementation",
    text="Four provinces trained.",
)
last_year = Workplan.objects.get(team=team, year=today.year - 1)
copy = services.copy_workplan(source=last_year, year=today.year + 1, user=convener, summary="Next year",
                              activities=list(last_year.activities.order_by("pk")[:3]))
run, _ = request_report(admin, kind="country", format="csv", team=team, year=today.year)
run.refresh_from_db()
# Someone new: a person record, a focal point role in the demo team, an account linked to the person.
member = team.members.order_by("agency__acronym").first()
person = Person.objects.create(name="Dara Sok", agency=member.agency, country=team.country,
                               email="dara.sok@example.org")
FocalPoint.objects.create(member=member, person=person, start_date=today - dt.timedelta(days=10))
user = User.objects.create_user("dara", password="a-long-password-for-dara", person=person)
print(json.dumps({
    "team": team.pk, "activity": activity.pk, "progress": progress.pk, "copy": copy.workplan.pk,
    "copied": len(copy.copied), "run": run.pk, "run_status": run.status, "user": user.pk, "person": person.pk,
    "admin_password": admin.password, "convener_password": convener.password,
}))
"""

CHECK = """
import json
from accounts.models import User
from reports.models import ReportRun
from teams.models import Team, team_roles
from workplans.models import Activity, ProgressUpdate, Workplan

ids = json.loads('''{ids}''')
activity = Activity.objects.get(pk=ids["activity"])
user = User.objects.get(pk=ids["user"])
copy = Workplan.objects.get(pk=ids["copy"])
print(json.dumps({
    "title": activity.title,
    "progress": ProgressUpdate.objects.filter(pk=ids["progress"], activity=activity).exists(),
    "copy": [copy.team_id, copy.status, copy.activities.count()],
    "run": list(ReportRun.objects.filter(pk=ids["run"]).values_list("team_id", "status")),
    "person": user.person_id,
    "focal_point_of": ids["team"] in team_roles(user).focal_point_of,
    "admin_password": User.objects.get(username="admin").password,
    "convener_password": User.objects.get(username="demo-convener").password,
    "demo_teams": Team.objects.filter(is_demo=True).count(),
}))
"""


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ADMIN_PASSWORD")}
    # SQLite in a file of its own and tasks in-process, as `make run` has them.
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_MEDIA_ROOT=str(tmp_path / "media"))
    return env


def set_up(env) -> str:
    """`make setup-data`, the set-up of `make run` (its `install` step is already done here: -o install)."""
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-o", "install", "setup-data", f"DEMO_ARGS={DEMO_ARGS}"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def shell(env, code: str) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_running_the_set_up_again_keeps_everything_people_did(env):
    first = set_up(env)
    assert "Admin account created:" in first and "password:" in first
    assert "Demo accounts (passwords shown once" in first and "demo-convener" in first

    done = shell(env, WORK)
    assert done["run_status"] in ("done", "failed") and done["copied"] > 0  # the job ran in-process

    second = set_up(env)
    assert "Reference data already up to date: nothing changed." in second
    assert "Demo data not generated: the demo data is already there; nothing was changed." in second
    assert "Admin account 'admin' exists; its password is unchanged" in second
    assert "password:" not in second and "Demo accounts" not in second  # passwords are printed once

    after = shell(env, CHECK.replace("{ids}", json.dumps(done)))
    assert after == {
        "title": "Costed plan agreed with the ministry",
        "progress": True,
        "copy": [done["team"], "draft", done["copied"]],
        "run": [[done["team"], done["run_status"]]],
        "person": done["person"],
        "focal_point_of": True,
        "admin_password": done["admin_password"],
        "convener_password": done["convener_password"],
        "demo_teams": 3,
    }


@pytest.mark.django_db
def test_the_admin_password_is_printed_once_and_reset_on_request(capsys, monkeypatch):
    from django.core.management import call_command

    from accounts.models import User

    monkeypatch.delenv("DJANGO_ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.check_password(password) and admin.is_secretariat and admin.is_superuser
    assert "ensure_admin --reset" in out

    call_command("ensure_admin")
    out = capsys.readouterr().out
    assert "exists; its password is unchanged" in out and "password:" not in out
    assert User.objects.get(username="admin").check_password(password)

    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "chosen-by-the-operator")
    call_command("ensure_admin", "--reset")
    assert "password: chosen-by-the-operator" in capsys.readouterr().out
    assert User.objects.get(username="admin").check_password("chosen-by-the-operator")
