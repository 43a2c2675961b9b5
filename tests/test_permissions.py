"""The full permission matrix: role x own team / other team x action."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions as perms
from teams.models import FocalPoint, Team

from .factories import make_activity, make_user, make_workplan

ROLES = ["secretariat", "convener", "focal_point", "viewer"]

# action -> (workplan status the action is tried on, {role: (own team, other team)})
TEAM_ACTIONS = {
    "can_view_team": (None, {"secretariat": (1, 1), "convener": (1, 1), "focal_point": (1, 1), "viewer": (1, 1)}),
    "can_view_team_contacts": (
        None,
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "can_edit_team_roster": (
        None,
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "can_view_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 1), "focal_point": (1, 1), "viewer": (1, 1)},
    ),
    "can_edit_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "can_report_progress": (
        "endorsed",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (1, 0), "viewer": (0, 0)},
    ),
    "can_submit_workplan": (
        "draft",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
    "can_endorse_workplan": (
        "submitted",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
    "can_reopen_workplan": (
        "submitted",
        {"secretariat": (1, 1), "convener": (1, 0), "focal_point": (0, 0), "viewer": (0, 0)},
    ),
}
GLOBAL_ACTIONS = ["can_manage_reference_data", "can_run_global_reports", "can_issue_api_tokens"]


@pytest.fixture
def users(cambodia):
    return {role: make_user(role, cambodia) for role in ROLES}


def target_for(action, status, team):
    if status is None:
        return team
    workplan = make_workplan(team, year=2026, status=status)
    if action == "can_report_progress":
        return make_activity(workplan)
    return workplan


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", TEAM_ACTIONS)
def test_team_scoped_matrix(action, role, users, cambodia, chad):
    status, expected = TEAM_ACTIONS[action]
    check = getattr(perms, action)
    own, other = expected[role]
    user = users[role]
    assert check(user, target_for(action, status, cambodia)) is bool(own), f"{role} on own team"
    assert check(user, target_for(action, status, chad)) is bool(other), f"{role} on other team"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", GLOBAL_ACTIONS)
def test_global_actions_are_secretariat_only(action, role, users):
    assert getattr(perms, action)(users[role]) is (role == "secretariat")


def test_django_has_perm_answers_from_the_same_rules(users, cambodia, chad):
    own, other = make_workplan(cambodia), make_workplan(chad)
    focal = users["focal_point"]
    assert focal.has_perm("portal.edit_workplan", own)
    assert not focal.has_perm("portal.edit_workplan", other)
    assert not focal.has_perm("portal.submit_workplan", own)


def test_focal_point_cannot_change_the_plan_once_submitted_but_can_report_progress(users, cambodia):
    workplan = make_workplan(cambodia, status="submitted")
    focal = users["focal_point"]
    assert not perms.can_edit_workplan(focal, workplan)
    assert perms.can_report_progress(focal, make_activity(workplan))


def test_workflow_steps_only_from_the_right_status(users, cambodia):
    convener = users["convener"]
    endorsed = make_workplan(cambodia, status="endorsed")
    assert not perms.can_submit_workplan(convener, endorsed)
    assert not perms.can_endorse_workplan(convener, endorsed)
    assert perms.can_reopen_workplan(convener, endorsed)


def test_ended_focal_point_appointment_loses_rights(cambodia):
    user = make_user("focal_point", cambodia)
    FocalPoint.objects.filter(person=user.person).update(end_date=dt.date(2022, 1, 1))
    user.refresh_from_db()  # drops the per-request cache of team roles
    assert not perms.can_edit_team_roster(user, cambodia)
    assert perms.role_of(user) == "viewer"


def test_anonymous_and_inactive_users_get_nothing(cambodia):
    workplan = make_workplan(cambodia)
    inactive = make_user("secretariat", is_active=False)
    for user in (AnonymousUser(), inactive):
        assert not perms.can_view_team(user, cambodia)
        assert not perms.can_edit_workplan(user, workplan)
        assert not perms.can_manage_reference_data(user)


def test_country_team_people_run_their_subnational_groups(cambodia, chad):
    province = Team.objects.create(
        name="Cambodia provincial working group", kind=Team.Kind.SUBNATIONAL, country=cambodia.country, parent=cambodia
    )
    focal = make_user("focal_point", cambodia)
    outsider = make_user("focal_point", chad)
    workplan = make_workplan(province)
    assert perms.can_edit_workplan(focal, workplan)
    assert not perms.can_edit_workplan(outsider, workplan)


def test_roles_are_looked_up_once_per_user(cambodia, django_assert_num_queries):
    user = make_user("focal_point", cambodia)
    workplan = make_workplan(cambodia)
    with django_assert_num_queries(3):  # convener terms, focal points, subteams; then cached
        for _ in range(5):
            perms.can_edit_workplan(user, workplan)
            perms.can_view_team_contacts(user, cambodia)


def test_role_of_names_the_broadest_role(users):
    assert {role: perms.role_of(user) for role, user in users.items()} == {
        "secretariat": "secretariat",
        "convener": "convener",
        "focal_point": "focal_point",
        "viewer": "viewer",
    }
