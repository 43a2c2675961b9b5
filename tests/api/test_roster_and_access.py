"""Every new endpoint x role x own/other team: /api/v1/focal-points/, /convener-terms/,
/team-memberships/, /invitations/, /access-requests/.

Cambodia is the callers' own team, Chad the other one. Reads of roster entries are open to
every signed-in user (contacts only for one's own teams); invitations are not for viewers;
writes: 403 for a role that may not, 404 for another team's record (400 naming the field
when a new record names another team), the service's reason on a refusal."""

import datetime as dt

import pytest
from django.utils import timezone

from access import services as access
from access.models import AccessRequest, Invitation
from agencies.models import Agency
from teams import services as roster
from teams.models import ConvenerTerm, FocalPoint, MembershipProposal

from ..factories import make_person, make_user

pytestmark = pytest.mark.django_db

ROLES = ["secretariat", "convener", "focal_point", "viewer"]


@pytest.fixture
def world(cambodia, chad):
    users = {role: make_user(role, cambodia) for role in ROLES}
    chad_focal = make_user("focal_point", chad, agency="WHO")
    chad_convener = make_user("convener", chad, agency="WHO")
    secretariat = users["secretariat"]

    def entries(team, focal_user, convener_user):
        fp = FocalPoint.objects.get(person=focal_user.person, member__team=team)
        term = ConvenerTerm.objects.get(person=convener_user.person, team=team, end_date__isnull=True)
        proposal = roster.propose_member(user=focal_user, team=team, agency=Agency.objects.get(acronym="IFAD"))
        invitation = access.invite(
            user=secretariat, team=team, role="viewer", email=f"guest-{team.pk}@example.org", name="Guest"
        )
        asker = make_user("viewer")
        request = access.request_access(
            user=asker, team=team, agency=fp.member.agency, message="I am a focal point of this agency"
        )
        return {
            "team": team,
            "fp": fp,
            "term": term,
            "proposal": proposal,
            "invitation": invitation,
            "request": request,
        }

    return {
        "users": users,
        "own": entries(cambodia, users["focal_point"], users["convener"]),
        "other": entries(chad, chad_focal, chad_convener),
    }


def url(kind, record=None, action=""):
    path = f"/api/v1/{kind}/"
    if record is not None:
        path += f"{record.pk}/"
    if action:
        path += f"{action}/"
    return path


LISTS = ["focal-points", "convener-terms", "team-memberships", "invitations", "access-requests"]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_lists_by_role(kind, role, world, api):
    response = api(world["users"][role]).get(url(kind))
    if kind == "invitations" and role == "viewer":
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.content
    teams = {row["team"] for row in response.json()["results"]}
    if kind in ("invitations", "access-requests") and role in ("convener", "focal_point"):
        assert teams == {world["own"]["team"].pk}  # another team's invitations and requests are not shown
    if kind == "access-requests" and role == "viewer":
        assert teams == set()
    if kind in ("focal-points", "convener-terms", "team-memberships") or role == "secretariat":
        assert {world["own"]["team"].pk, world["other"]["team"].pk} <= teams


@pytest.mark.parametrize("role", ROLES)
def test_contacts_only_for_own_teams(role, world, api):
    client = api(world["users"][role])
    own = client.get(url("focal-points", world["own"]["fp"])).json()
    other = client.get(url("focal-points", world["other"]["fp"])).json()
    assert (own["email"] is not None) == (role != "viewer")
    assert (other["email"] is not None) == (role == "secretariat")
    assert own["agency_iati_identifier"] == "XM-DAC-41122"  # UNICEF
    assert own["country"] == "KHM" and own["country_m49"] == "116"


def outcome(role, where, allowed: set, own_refusal=403):
    """The status a role gets: allowed roles succeed on their own team (the Secretariat everywhere);
    a viewer is 403 everywhere; other roles 404 on another team and `own_refusal` on their own."""
    if role == "viewer":
        return 403
    if role == "secretariat":
        return "ok" if "secretariat" in allowed else own_refusal
    if where == "other":
        return 404
    return "ok" if role in allowed else own_refusal


WRITES = [
    # (name, method, kind, record key, action, body, roles allowed on their own team)
    (
        "patch focal point",
        "patch",
        "focal-points",
        "fp",
        "",
        {"phone": "+855 23 000 111"},
        {"secretariat", "convener", "focal_point"},
    ),
    (
        "end focal point",
        "post",
        "focal-points",
        "fp",
        "end",
        {"reason": "reassigned"},
        {"secretariat", "convener", "focal_point"},
    ),
    ("mark primary", "post", "focal-points", "fp", "mark-primary", {}, {"secretariat", "convener", "focal_point"}),
    ("confirm focal point", "post", "focal-points", "fp", "confirm", {}, {"secretariat", "convener", "focal_point"}),
    (
        "patch convener contacts",
        "patch",
        "convener-terms",
        "term",
        "",
        {"title": "Representative"},
        {"secretariat", "convener", "focal_point"},
    ),
    ("end convener term", "post", "convener-terms", "term", "end", {}, {"secretariat", "convener"}),
    ("confirm membership", "post", "team-memberships", "proposal", "confirm", {}, {"secretariat"}),
    (
        "decline membership",
        "post",
        "team-memberships",
        "proposal",
        "decline",
        {"reason": "Not present here"},
        {"secretariat"},
    ),
    ("revoke invitation", "post", "invitations", "invitation", "revoke", {}, {"secretariat", "convener"}),
    ("approve access", "post", "access-requests", "request", "approve", {}, {"secretariat", "convener"}),
    (
        "decline access",
        "post",
        "access-requests",
        "request",
        "decline",
        {"reason": "Unknown to the team"},
        {"secretariat", "convener"},
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "kind", "key", "action", "body", "allowed"), WRITES, ids=[w[0] for w in WRITES]
)
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_writes_by_role_and_team(
    role, where, name, method, kind, key, action, body, allowed, world, api, django_capture_on_commit_callbacks
):
    record = world[where][key]
    # A focal point never decides requests: refused for the role, on any team.
    expected = 403 if kind == "access-requests" and role == "focal_point" else outcome(role, where, allowed)
    if name == "end convener term" and role == "convener" and where == "own":
        expected = "ok"  # the convener in the term ends their own term
    with django_capture_on_commit_callbacks(execute=False):
        response = getattr(api(world["users"][role]), method)(url(kind, record, action), body, format="json")
    if expected == "ok":
        assert response.status_code == 200, response.content
        assert response["ETag"]
    else:
        assert response.status_code == expected, response.content
        assert response.json()["detail"]


CREATES = [
    (
        "focal-points",
        lambda team: {
            "team": team.pk,
            "agency": "UNICEF",
            "name": "New Colleague",
            "email": f"new-{team.pk}@example.org",
        },
        {"secretariat", "convener", "focal_point"},
    ),
    (
        "convener-terms",
        lambda team: {
            "team": team.pk,
            "role": "co_convener",
            "agency": "WFP",
            "name": "Co",
            "email": f"co-{team.pk}@example.org",
        },
        {"secretariat"},
    ),
    (
        "team-memberships",
        lambda team: {"team": team.pk, "agency": "UNEP", "note": "Climate and nutrition"},
        {"secretariat", "convener", "focal_point"},
    ),
    (
        "invitations",
        lambda team: {
            "team": team.pk,
            "role": "focal_point",
            "agency": "UNICEF",
            "name": "Invitee",
            "email": f"inv-{team.pk}@example.org",
        },
        {"secretariat", "convener"},
    ),
]


def chad_body(team):
    return {"team": team.pk, "agency": "WHO", "name": "New", "email": "new-chad@example.org", "role": "focal_point"}


@pytest.mark.parametrize(("kind", "body", "allowed"), CREATES, ids=[c[0] for c in CREATES])
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_creates_by_role_and_team(role, where, kind, body, allowed, world, api, django_capture_on_commit_callbacks):
    team = world[where]["team"]
    if where == "other" and kind in ("focal-points", "invitations"):
        # Chad's member agency is WHO.
        body = chad_body
    with django_capture_on_commit_callbacks(execute=False):
        response = api(world["users"][role]).post(url(kind), body(team), format="json")
    if role == "viewer":
        assert response.status_code == 403
    elif role != "secretariat" and where == "other":
        assert response.status_code == 400 and "team" in response.json(), response.content  # not one of theirs
    elif role in allowed:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_anyone_signed_in_asks_for_access(role, world, api, django_capture_on_commit_callbacks):
    team = world["other"]["team"]
    with django_capture_on_commit_callbacks(execute=False):
        response = api(world["users"][role]).post(
            url("access-requests"),
            {"team": team.pk, "agency": "WHO", "message": "I work for WHO in Chad"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


def test_a_requester_cannot_approve_their_own_request(world, api, django_capture_on_commit_callbacks):
    """A convener of Cambodia asks to be WFP's focal point there too, then tries to approve it."""
    convener = world["users"]["convener"]
    with django_capture_on_commit_callbacks(execute=False):
        request = access.request_access(
            user=convener, team=world["own"]["team"], agency=Agency.objects.get(acronym="WFP"), message="Me, for WFP"
        )
    response = api(convener).post(url("access-requests", request, "approve"), {}, format="json")
    assert response.status_code == 403
    assert "own" in response.json()["detail"]
    assert AccessRequest.objects.get(pk=request.pk).status == "pending"
    # A viewer asking is refused deciding anything, their own request included.
    asker = world["own"]["request"].requester
    response = api(asker).post(url("access-requests", world["own"]["request"], "approve"), {}, format="json")
    assert response.status_code == 403


def test_changes_need_if_match_and_a_stale_one_fails(world, api):
    fp = world["own"]["fp"]
    client = api(world["users"]["focal_point"])
    assert client.patch(url("focal-points", fp), {"phone": "+855 1"}, format="json", if_match=None).status_code == 428
    etag = client.get(url("focal-points", fp))["ETag"]
    assert (
        client.patch(url("focal-points", fp), {"title": "Nutrition officer"}, format="json", if_match=etag).status_code
        == 200
    )
    stale = client.patch(url("focal-points", fp), {"title": "Something else"}, format="json", if_match=etag)
    assert stale.status_code == 412
    fp.person.refresh_from_db()
    assert fp.person.title == "Nutrition officer"


def test_bad_input_names_the_field_and_changes_nothing(world, api):
    fp = world["own"]["fp"]
    client = api(world["users"]["convener"])
    response = client.post(url("focal-points", fp, "end"), {"reason": "bored"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(url("focal-points", fp, "end"), {"reason": "other"}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    assert FocalPoint.objects.get(pk=fp.pk).end_date is None
    response = client.get(url("focal-points") + "?modified_since=yesterday")
    assert response.status_code == 400 and "modified_since" in response.json()
    response = client.get(url("focal-points") + "?colour=red")
    assert response.status_code == 400


def test_modified_since_lists_what_changed(world, api):
    client = api(world["users"]["secretariat"])
    since = timezone.now()
    fp = world["own"]["fp"]
    roster.update_focal_point(pk=fp.pk, user=world["users"]["focal_point"], data={"title": "Officer"})
    stamp = since.isoformat().replace("+00:00", "Z")
    changed = client.get(url("focal-points"), {"modified_since": stamp}).json()["results"]
    assert [row["id"] for row in changed] == [fp.pk]
    teams = client.get("/api/v1/teams/", {"modified_since": stamp}).json()["results"]
    assert [team["id"] for team in teams] == [world["own"]["team"].pk]
    assert client.get(url("convener-terms"), {"modified_since": stamp}).json()["results"] == []


def test_hand_over_through_the_api(world, api, django_capture_on_commit_callbacks):
    term = world["own"]["term"]
    client = api(world["users"]["convener"])
    starts = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url("invitations"),
            {"hand_over_of": term.pk, "email": "next@example.org", "name": "Next", "starts_on": starts},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["hand_over_of"] == term.pk and response.json()["role"] == "convener"
    # A focal point of the team cannot hand over the convener's term.
    refused = api(world["users"]["focal_point"]).post(
        url("invitations"),
        {"hand_over_of": term.pk, "email": "x@example.org", "name": "X", "starts_on": starts},
        format="json",
    )
    assert refused.status_code == 403
    # The Secretariat confirms it on the successor's behalf: both terms are in the history.
    invitation = Invitation.objects.get(pk=response.json()["id"])
    confirmed = api(world["users"]["secretariat"]).post(url("invitations", invitation, "confirm"), {}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    history = (
        api(world["users"]["viewer"])
        .get(url("convener-terms"), {"team": world["own"]["team"].pk, "role": "convener"})
        .json()["results"]
    )
    assert [(row["name"], row["end_date"]) for row in history[:2]] == [
        ("Next", None),
        (term.person.name, (timezone.localdate() + dt.timedelta(days=2)).isoformat()),
    ]


@pytest.mark.parametrize(
    "kind", ["focal-points", "convener-terms", "team-memberships", "invitations", "access-requests"]
)
def test_list_queries_do_not_grow_with_rows(kind, world, api, django_assert_max_num_queries, django_assert_num_queries):
    from ..factories import make_team

    secretariat = world["users"]["secretariat"]
    client = api(secretariat)
    client.get(url(kind))  # warm-up: content types, sessions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(kind)).status_code == 200
    for iso3 in ("NER", "MLI", "SEN", "BFA", "GIN"):
        team = make_team(iso3)
        fp_user = make_user("focal_point", team)
        make_user("convener", team)
        roster.propose_member(user=fp_user, team=team, agency=Agency.objects.get(acronym="UNEP"))
        access.invite(user=secretariat, team=team, role="viewer", email=f"g{iso3}@example.org", name="G")
        access.request_access(
            user=make_user("viewer"), team=team, agency=Agency.objects.get(acronym="UNICEF"), message="Me"
        )
        make_person()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(kind))
    assert response.status_code == 200 and response.json()["count"] > 2
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_max_num_queries(len(few)):
        client.get(url(kind))
    assert MembershipProposal.objects.count() > 2
