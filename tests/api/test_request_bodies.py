"""Request bodies a client gets wrong, or an attacker builds, answer 400 with a message:
never a 500, on any endpoint that reads a JSON body, signed in or not."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.api.parsers import MAX_DEPTH
from workplans.models import ResourceMobilised

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_DEPTH} levels deep."


def json_operations():
    """(method, path) of every operation whose schema takes a JSON body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


OPERATIONS = json_operations()


def nested(depth: int, kind: str) -> str:
    if kind == "lists":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def records(cambodia):
    workplan = make_workplan(cambodia, 2026)
    return {
        "workplans": workplan.pk,
        "activities": make_activity(workplan).pk,
        "resources-mobilised": ResourceMobilised.objects.create(
            team=cambodia, source="EU", amount=1000, purpose="Wasting roadmap"
        ).pk,
        **roster_records(cambodia),
        **cycle_records(cambodia),
        **results_records(workplan),
    }


def results_records(workplan) -> dict:
    """An output with an indicator and its value, evidence, a contribution and a joint proposal."""
    import datetime as dt

    from agencies.models import Agency
    from results.models import Attachment, Indicator, IndicatorValue
    from workplans.models import Contribution, Funder, JointProposal, Output, ReportingPeriod

    output = Output.objects.create(workplan=workplan, title="Wasting roadmap costed", position=1)
    indicator = Indicator.objects.create(output=output, title="Children treated")
    period = ReportingPeriod.objects.create(
        year=2026,
        kind="annual",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        due_date=dt.date(2027, 1, 31),
    )
    unicef = Agency.objects.get(acronym="UNICEF")
    return {
        "outputs": output.pk,
        "indicators": indicator.pk,
        "reporting-periods": period.pk,
        "indicator-values": IndicatorValue.objects.create(indicator=indicator, period=period, value=10).pk,
        "attachments": Attachment.objects.create(
            team=workplan.team, target=output, title="Minutes", url="https://example.org/minutes"
        ).pk,
        "contributions": Contribution.objects.create(
            activity=make_activity(workplan), agency=unicef, amount=1000, funder=Funder.objects.first()
        ).pk,
        "joint-proposals": JointProposal.objects.create(
            team=workplan.team, title="Wasting roadmap", amount_requested=3_500_000
        ).pk,
    }


def cycle_records(cambodia) -> dict:
    """A deadline and an amendment (of an endorsed plan), so their changes reach the body parser."""
    import datetime as dt

    from cycle.models import Deadline
    from workplans import endorsement

    secretariat = make_user("secretariat")
    plan = make_workplan(cambodia, 2027)
    endorsement.submit_workplan(workplan=plan, user=secretariat)
    endorsement.endorse_workplan(workplan=plan, user=secretariat)
    amendment = endorsement.start_amendment(workplan=plan, user=secretariat, kind="timeline", reason="Later")
    return {
        "deadlines": Deadline.objects.create(year=2027, kind="workplan_draft", due_on=dt.date(2027, 2, 1)).pk,
        "amendments": amendment.pk,
    }


def roster_records(cambodia) -> dict:
    """One record of each roster and access resource, so their changes reach the body parser."""
    from access import services as access
    from agencies.models import Agency
    from teams import services as roster
    from teams.models import FocalPoint

    focal = make_user("focal_point", cambodia)
    secretariat = make_user("secretariat")
    unicef = Agency.objects.get(acronym="UNICEF")
    return {
        "focal-points": FocalPoint.objects.get(person=focal.person).pk,
        "convener-terms": cambodia.convener_terms.first().pk,
        "team-memberships": roster.propose_member(
            user=focal, team=cambodia, agency=Agency.objects.get(acronym="IFAD")
        ).pk,
        "invitations": access.invite(
            user=secretariat, team=cambodia, role="viewer", email="v@example.org", name="V"
        ).pk,
        "access-requests": access.request_access(
            user=make_user("viewer"), team=cambodia, agency=unicef, message="Me"
        ).pk,
    }


def test_every_json_endpoint_is_covered():
    assert ("POST", "/api/v1/auth/token/") in OPERATIONS
    assert ("PATCH", "/api/v1/activities/{id}/") in OPERATIONS
    assert len(OPERATIONS) >= 10


@pytest.mark.parametrize("kind", ["lists", "objects"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_deeply_nested_json_is_400_everywhere(method, path, depth, kind, records):
    client = APIClient()
    if path != "/api/v1/auth/token/":
        client.force_authenticate(make_user("secretariat"))
    url = path.replace("{id}", str(records.get(path.split("/")[3], 1))).replace("{kind}", "workplan_submitted")
    response = client.generic(method, url, nested(depth, kind), content_type="application/json", HTTP_IF_MATCH="*")
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert response.json() == {"detail": TOO_DEEP}


def test_the_token_endpoint_answers_anonymous_deep_json_with_400():
    body = '{"username": "x", "password": ' + nested(50_000, "lists") + "}"
    response = APIClient().generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_ordinary_nesting_is_still_read(records):
    client = APIClient()
    client.force_authenticate(make_user("secretariat"))
    # A field given a nested value is a validation error naming the field, not a parse error.
    body = '{"title": ' + nested(MAX_DEPTH - 1, "lists") + "}"
    response = client.generic(
        "PATCH",
        f"/api/v1/activities/{records['activities']}/",
        body,
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_malformed_and_non_utf8_json_are_400():
    client = APIClient()
    for body in (b'{"username": "x",', b'{"username": "\xff\xfe"}', b"NaN"):
        response = client.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["detail"].startswith("JSON parse error")
