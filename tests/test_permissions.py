"""The full permission matrix: role x own team / other team x action."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.rules import is_secretariat
from reports import rules as report_rules
from teams import rules as team_rules
from teams.models import FocalPoint, Team
from teams.rules import role_of
from workplans import rules as workplan_rules

from .factories import make_activity, make_user, make_workplan

ROLES = ["secretariat", "convener", "focal_point", "viewer"]

# action -> (workplan status the action is tried on, {role: (own team, other team)})
TEAM_ACTIONS = {
    "view_team": (None, {"secretariat": (1, 1), "convener": (1, 1), "focal_point": (1, 1), "viewer": (1, 1)}),
    "view_team_contacts": (
        None,
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "plan_team_work": (
        None,
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "view_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 1), "focal_point": (1, 1), "viewer": (1, 1)},
    ),
    "edit_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "report_progress": (
        "endorsed",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "submit_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
    "endorse_workplan": (
        "submitted",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
    "reopen_workplan": (
        "submitted",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
}
RULES = {
    "view_team": team_rules.view_team,
    "view_team_contacts": team_rules.view_team_contacts,
    "plan_team_work": team_rules.plan_team_work,
    "view_workplan": workplan_rules.view_workplan,
    "edit_workplan": workplan_rules.edit_workplan,
    "report_progress": workplan_rules.report_progress,
    "submit_workplan": workplan_rules.submit_workplan,
    "endorse_workplan": workplan_rules.endorse_workplan,
    "reopen_workplan": workplan_rules.reopen_workplan,
}
GLOBAL_ACTIONS = {"run_global_reports": report_rules.run_global_reports, "is_secretariat": is_secretariat}


@pytest.fixture
def users(cambodia):
    return {role: make_user(role, cambodia) for role in ROLES}


def target_for(action, status, team):
    if status is None:
        return team
    workplan = make_workplan(team, year=2026, status=status)
    if action == "report_progress":
        return make_activity(workplan)
    return workplan


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", TEAM_ACTIONS)
def test_team_scoped_matrix(action, role, users, cambodia, chad):
    status, expected = TEAM_ACTIONS[action]
    check = RULES[action].test
    own, other = expected[role]
    user = users[role]
    assert check(user, target_for(action, status, cambodia)) is bool(own), f"{role} on own team"
    assert check(user, target_for(action, status, chad)) is bool(other), f"{role} on other team"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", GLOBAL_ACTIONS)
def test_global_actions_are_secretariat_only(action, role, users):
    assert GLOBAL_ACTIONS[action].test(users[role]) is (role == "secretariat")


def test_django_has_perm_answers_from_the_same_rules(users, cambodia, chad):
    own, other = make_workplan(cambodia), make_workplan(chad)
    focal = users["focal_point"]
    assert focal.has_perm("portal.edit_workplan", own)
    assert not focal.has_perm("portal.edit_workplan", other)
    assert not focal.has_perm("portal.submit_workplan", own)


def test_focal_point_cannot_change_the_plan_once_submitted_but_can_report_progress(users, cambodia):
    workplan = make_workplan(cambodia, status="submitted")
    focal = users["focal_point"]
    assert not workplan_rules.edit_workplan.test(focal, workplan)
    assert workplan_rules.report_progress.test(focal, make_activity(workplan))


def test_workflow_steps_only_from_the_right_status(users, cambodia):
    convener = users["convener"]
    endorsed = make_workplan(cambodia, status="endorsed")
    assert not workplan_rules.submit_workplan.test(convener, endorsed)
    assert not workplan_rules.endorse_workplan.test(convener, endorsed)
    # An endorsed plan is no longer reopened (its stamps wiped): it is amended, with a type and a reason.
    assert not workplan_rules.reopen_workplan.test(convener, endorsed)
    assert workplan_rules.amend_workplan.test(convener, endorsed)
    assert not workplan_rules.amend_workplan.test(users["focal_point"], endorsed)


def test_ended_focal_point_appointment_loses_rights(cambodia):
    user = make_user("focal_point", cambodia)
    FocalPoint.objects.filter(person=user.person).update(end_date=dt.date(2022, 1, 1))
    user.refresh_from_db()  # drops the per-request cache of team roles
    assert not team_rules.plan_team_work.test(user, cambodia)
    assert role_of(user) == "viewer"


def test_anonymous_and_inactive_users_get_nothing(cambodia):
    workplan = make_workplan(cambodia)
    inactive = make_user("secretariat", is_active=False)
    for user in (AnonymousUser(), inactive):
        assert not team_rules.view_team.test(user, cambodia)
        assert not workplan_rules.edit_workplan.test(user, workplan)
        assert not report_rules.run_global_reports.test(user)


def test_country_team_people_run_their_subnational_groups(cambodia, chad):
    province = Team.objects.create(
        name="Cambodia provincial working group", kind=Team.Kind.SUBNATIONAL, country=cambodia.country, parent=cambodia
    )
    focal = make_user("focal_point", cambodia)
    outsider = make_user("focal_point", chad)
    workplan = make_workplan(province)
    assert workplan_rules.edit_workplan.test(focal, workplan)
    assert not workplan_rules.edit_workplan.test(outsider, workplan)


def test_roles_are_looked_up_once_per_user(cambodia, django_assert_num_queries):
    user = make_user("focal_point", cambodia)
    workplan = make_workplan(cambodia)
    with django_assert_num_queries(3):  # convener terms, focal points, subteams; then cached
        for _ in range(5):
            workplan_rules.edit_workplan.test(user, workplan)
            team_rules.view_team_contacts.test(user, cambodia)


def test_role_of_names_the_broadest_role(users):
    assert {role: role_of(user) for role, user in users.items()} == {
        "secretariat": "secretariat",
        "convener": "convener",
        "focal_point": "focal_point",
        "viewer": "viewer",
    }
