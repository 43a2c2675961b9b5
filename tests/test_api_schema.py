"""The REST API against its own OpenAPI schema, with schemathesis.

Every operation of the schema /api/schema/ serves is called in-process through the
WSGI application, as a Secretariat user with a knox token, with every schemathesis
check enabled, on a small demo data set. Generation is derandomized and writes no
example database, so a run is repeatable; writes happen inside the test's
transaction and are rolled back with it.

Problems schemathesis found are listed in FINDINGS. A failure that matches a listed
finding does not fail `test_api` (so it keeps exploring and still fails on anything
new); each finding has reproductions in `test_known_finding`, marked
xfail(strict=True): once a finding is fixed its reproduction passes, the strict xfail
turns that into a failure, and the entry is to be deleted.
"""

import datetime as dt
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from unittest import mock

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient
from schemathesis import AuthContext
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import AcceptedNegativeData, Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData

from agencies.models import Agency
from countries.models import Country, Region, Subdivision
from teams.models import ConvenerTerm, Team
from unnutrition.demo_data import generate_demo_data
from unnutrition.wsgi import application
from workplans.models import (
    ActionArea,
    Activity,
    CooperationOutcome,
    NationalFramework,
    ProgressUpdate,
    ResourceMobilised,
    SdgTarget,
    Workplan,
)

from .factories import make_user, make_workplan

# What GET /api/schema/?format=json serves (test_served_schema_is_the_tested_one checks it).
RAW_SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240601,
        "cache": {"enabled": False},
        # Per operation: up to 15 generated cases on top of the coverage phase's boundary cases.
        "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
    }
)


def application_in_savepoint(environ, start_response):
    """unnutrition.wsgi.application, each request in a savepoint of the test's transaction.

    DRF marks the enclosing atomic block for rollback whenever it turns an exception into
    a response (rest_framework.views.set_rollback). In a view exempt from ATOMIC_REQUESTS
    (TokenView is non_atomic_requests) that block would be the test's own transaction, and
    every later query of the test would fail. In production each request has its own
    transaction; the savepoint gives the test the same isolation.
    """
    with transaction.atomic():
        response = application(environ, start_response)
        try:
            return list(response)
        finally:
            if hasattr(response, "close"):
                response.close()


schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=CONFIG)
schema.app = application_in_savepoint

load_all_checks()
# Every registered check function, whatever the configuration says.
ALL_CHECKS = [check for check in CHECKS.get_all() if not isinstance(check, type)]

# Coverage-phase cases are built while pytest collects, before any fixture runs, so their
# token is fixed here; the `api_data` fixture creates the knox token with this value.
TOKEN = "5e" * 32
PASSWORD = "a-long-test-password"
DATA: dict = {}  # demo records and the last response, filled by the fixture and the hook


@schema.auth(refresh_interval=None)
class SecretariatToken:
    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Token {data}"


@schema.hook
def after_call(context, case, response):
    DATA["response"] = response


# --- demo data -------------------------------------------------------------------


def ensure_token():
    """The Secretariat's token; DELETE /api/v1/auth/token/ revokes it, so it is re-created when gone."""
    if not AuthToken.objects.filter(token_key=TOKEN[: CONSTANTS.TOKEN_KEY_LENGTH]).exists():
        with mock.patch("knox.crypto.create_token_string", return_value=TOKEN):
            AuthToken.objects.create(DATA["user"])


def record_values() -> dict[str, list]:
    """Existing values for each path parameter and each field that names another record."""
    countries = Country.objects.filter(teams__is_demo=True)
    values = {
        "teams": list(Team.objects.values_list("pk", flat=True)),
        "workplans": list(Workplan.objects.values_list("pk", flat=True)),
        "activities": list(Activity.objects.values_list("pk", flat=True)),
        "progress-updates": list(ProgressUpdate.objects.values_list("pk", flat=True)),
        "resources-mobilised": list(ResourceMobilised.objects.values_list("pk", flat=True)),
        "agency": list(Agency.objects.values_list("acronym", flat=True)),
        "iso_alpha3": list(countries.values_list("iso_alpha3", flat=True)),
        "action_area": list(ActionArea.objects.values_list("code", flat=True)),
        "sdg_targets": list(SdgTarget.objects.values_list("code", flat=True)[:20]),
        "subdivisions": list(Subdivision.objects.filter(country__in=countries).values_list("code", flat=True)),
        "national_frameworks": list(
            NationalFramework.objects.filter(country__in=countries).values_list("pk", flat=True)
        ),
        "cooperation_outcome": list(CooperationOutcome.objects.values_list("pk", flat=True)[:20]),
        "region": list(Region.objects.values_list("slug", flat=True)),
        "year": sorted(set(Workplan.objects.values_list("year", flat=True))),
        "currency": ["USD", "EUR"],
    }
    values.update(
        team=values["teams"],
        workplan=values["workplans"],
        activity=values["activities"],
        country=values["iso_alpha3"],
        lead_agency=values["agency"],
        participating_agencies=values["agency"],
    )
    return values


@pytest.fixture
def api_data(db, settings):
    """Demo data, a Secretariat user holding TOKEN, and WSGI calls inside the test's transaction."""
    settings.API_THROTTLE_RATE = "1000000/hour"
    settings.API_SIGN_IN_THROTTLE_RATE = "1000000/hour"
    cache.clear()  # throttle counts left by earlier tests
    generate_demo_data(countries=3, years=2, seed=11)
    # Shapes the demo data lacks: a regional team's workplan (no country) and a past
    # term convened by the Resident Coordinator (no agency).
    regional = Team.objects.filter(kind=Team.Kind.REGIONAL).first()
    if regional is not None:
        make_workplan(regional, year=dt.date.today().year)
    ConvenerTerm.objects.create(
        team=Team.objects.filter(is_demo=True).first(),
        role=ConvenerTerm.Role.CONVENER,
        agency=None,
        by_resident_coordinator=True,
        start_date=dt.date(2015, 1, 1),
        end_date=dt.date(2016, 12, 31),
    )
    user = make_user("secretariat", password=PASSWORD)
    DATA.update(record_values(), user=user)
    ensure_token()
    # Django's WSGI handler closes "obsolete" connections when a request starts and ends,
    # which would end the test's transaction; Django's test client skips it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    DATA.clear()


def stable_hash(value) -> int:
    return zlib.crc32(repr(value).encode())


def pick(name: str, generated, salt: int = 0):
    """An existing value instead of the generated one, for about half of the cases, deterministically."""
    choices = DATA.get(name)
    n = stable_hash((salt, generated))
    if not choices or n % 2:
        return generated
    if isinstance(generated, list):
        return [choices[(n + i) % len(choices)] for i in range(min(len(generated), 2))]
    return choices[n // 2 % len(choices)]


def valid_parts(case) -> set:
    """Where the case's values are schema-valid (path, query, body, ...)."""
    if case.meta is None:
        return set()
    return {location for location, info in case.meta.components.items() if info.mode == GenerationMode.POSITIVE}


def bind_to_demo_data(case):
    """Make about half of the schema-valid values name records that exist, so requests get past the lookups.

    Random ids and codes nearly always miss, and the request ends in a 404 or a "does
    not exist" 400 before it reaches the code under test: a PUT with an invalid body
    would never have its body validated. Schema-violating values are left alone.
    """
    valid = valid_parts(case)
    resource = case.operation.path.split("/")[3]
    # Coverage cases of an operation share their path values: the whole case decides.
    salt = stable_hash((case.path_parameters, case.query, case.body))
    if ParameterLocation.PATH in valid:
        for name, value in list(case.path_parameters.items()):
            case.path_parameters[name] = pick({"id": resource, "acronym": "agency"}.get(name, name), value, salt)
    for location, container in ((ParameterLocation.QUERY, case.query), (ParameterLocation.BODY, case.body)):
        if location in valid and isinstance(container, dict):
            for name, value in list(container.items()):
                container[name] = pick(name, value, salt)
    if ParameterLocation.BODY not in valid or not isinstance(case.body, dict):
        return
    signs_in = case.operation.label == "POST /api/v1/auth/token/"
    if signs_in and stable_hash(case.body.get("username")) % 2 == 0:
        case.body.update(username=DATA["user"].username, password=PASSWORD)
    make_coherent(case)


def make_coherent(case):
    """For a third of the schema-valid writes, values that also pass the business rules.

    Random values that the schema allows nearly never satisfy them all (dates inside the
    workplan's year, a workplan still in draft, an ISO 4217 currency, a non-negative amount,
    one workplan per team and year), so without this the create and update code past the
    validation would hardly run.
    """
    method = case.method.upper()
    resource = case.operation.path.split("/")[3]
    if method not in ("POST", "PUT", "PATCH") or stable_hash(case.body) % 3:
        return
    instance_id = (case.path_parameters or {}).get("id")
    if not isinstance(instance_id, int):  # a coverage case may carry the wire form
        instance_id = int(instance_id) if str(instance_id).isdigit() else None
    values = {}
    if resource == "activities":
        activity = Activity.objects.filter(pk=instance_id).select_related("workplan").first()
        workplan = activity.workplan if activity else Workplan.objects.filter(status="draft").first()
        if workplan is None:
            return
        values = {
            "workplan": workplan.pk,
            "start_date": f"{workplan.year}-02-01",
            "end_date": f"{workplan.year}-11-30",
            "action_area": DATA["action_area"][0],
            "lead_agency": "WFP",
            "participating_agencies": ["FAO", "UNICEF"],
            "is_national": True,
            "subdivisions": [],
            "national_frameworks": [],
            "currency": "USD",
            "budget_required": "1000.00",
            "budget_available": "500.00",
            "budget_spent": "100.00",
        }
        case.body.pop("cooperation_outcome", None)
    elif resource == "workplans" and len(case.operation.path.split("/")) == 6:
        workplan = Workplan.objects.filter(pk=instance_id).first()
        team = workplan.team_id if workplan else DATA["teams"][stable_hash(case.body) % len(DATA["teams"])]
        values = {"team": team, "year": workplan.year if workplan else 2040 + stable_hash(case.body) % 60}
    elif resource == "resources-mobilised":
        resource_mobilised = ResourceMobilised.objects.filter(pk=instance_id).first()
        values = {
            "team": resource_mobilised.team_id if resource_mobilised else DATA["teams"][0],
            "amount": "1500.00",
            "currency": "EUR",
            "received_on": dt.date.today().isoformat(),
        }
        case.body.pop("workplan", None)
    case.body.update({k: v for k, v in values.items() if method != "PATCH" or k in case.body})


# --- known findings ----------------------------------------------------------------


def response_json(response):
    try:
        return response.json()
    except (ValueError, TypeError):
        return None


def negated_query_parameter(case) -> str | None:
    data = case.meta.phase.data if case.meta is not None else None
    if data is not None and data.parameter_location == ParameterLocation.QUERY:
        return data.parameter
    return None


def year_outside_calendar(case) -> bool:
    values = (case.query or {}).get("year")
    for value in values if isinstance(values, list) else [values]:
        try:
            if not 1 <= Decimal(str(value)) <= 9999:
                return True
        except InvalidOperation:
            continue
    return False


def null_for_relation(failure) -> bool:
    """A null where the schema wants a string, for one of the NULLABLE_RELATIONS properties."""
    path = [str(p) for p in failure.schema_path]
    return (
        failure.instance is None
        and path[-3:-2] == ["properties"]
        and path[-1:] == ["type"]
        and path[-2] in NULLABLE_RELATIONS
    )


def last_content_type() -> str:
    response = DATA.get("response")
    return response.headers.get("content-type", [""])[0] if response is not None else ""


def is_validation_error(data) -> bool:
    """DRF's shapes of a validation error: {"field": ["message", ...], ...} or ["message", ...]."""
    if isinstance(data, list):
        return bool(data) and all(isinstance(message, str) for message in data)
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(v, list) and all(isinstance(m, str | dict) for m in v) for v in data.values())
    )


NULLABLE_RELATIONS = {"parent", "author", "country", "agency", "submitted_by", "endorsed_by"}
IGNORED_INVALID_QUERY = {
    # An empty value reads as "no filter" (django-filter) or "default format" (DRF).
    "not_updated_since",
    "format",
}


def call(method: str, path: str, **values):
    """One explicit case, authenticated as the Secretariat."""
    operation = schema[path][method]
    case = operation.Case(**values)
    schema.auth.set(case, AuthContext(operation=operation, app=schema.app))
    ensure_token()
    return case


def expect_failure(finding: "Finding", method: str, path: str, **values):
    """Fails (FailureGroup) while `finding` stands: every check, on one explicit request."""
    case = call(method, path, **values)
    try:
        case.call_and_validate(checks=ALL_CHECKS)
    except FailureGroup as group:
        if any(finding.matches(case, failure) for failure in group.exceptions):
            raise
        pytest.fail(f"{method} {path} failed, but not with finding {finding.id}:\n{group.message}")


def parameter_schema(method: str, path: str, name: str) -> dict:
    operation = RAW_SCHEMA["paths"][path][method.lower()]
    return next(p["schema"] for p in operation.get("parameters", []) if p["name"] == name)


def rejects_invalid_value(path: str, name: str, value: str):
    assert parameter_schema("GET", path, name)["type"] in ("integer", "boolean")
    response = call("GET", path, query={name: value}).call()
    assert response.status_code >= 400, f"GET {path}?{name}={value} answered {response.status_code}"


@dataclass(frozen=True)
class Finding:
    id: str
    summary: str
    matches: Callable[[object, Failure], bool]
    reproductions: tuple[tuple[str, Callable[["Finding"], None]], ...]


FINDINGS = [
    Finding(
        "invalid-query-values-ignored",
        "An empty `not_updated_since=` and an empty `format=` are treated as absent (django-filter and "
        "DRF read an empty value as 'no filter'), where the schema would want them rejected.",
        lambda case, f: isinstance(f, AcceptedNegativeData) and negated_query_parameter(case) in IGNORED_INVALID_QUERY,
        (("empty-date", lambda f: rejects_invalid_value("/api/v1/activities/", "not_updated_since", "")),),
    ),
    Finding(
        "valid-data-rejected",
        "Schema-valid requests rejected with 400 and field errors, by rules a schema cannot state: "
        "records that do not exist or are another team's, one workplan per team and year, start before "
        "end, provinces of the team's country, ISO 4217 currencies, no NUL characters; and wrong "
        "credentials at POST /api/v1/auth/token/ are a 400 with a message where schemathesis expects 401.",
        lambda case, f: (
            isinstance(f, RejectedPositiveData)
            and f.status_code == 400
            and is_validation_error(response_json(DATA.get("response")))
        ),
        (("unknown-team", lambda f: valid_workplan_for_unknown_team_is_accepted()),),
    ),
]


def valid_workplan_for_unknown_team_is_accepted():
    response = call(
        "POST", "/api/v1/workplans/", body={"team": 987654, "year": 2030}, media_type="application/json"
    ).call()
    assert response.status_code == 201, "a workplan for a team that does not exist is refused (rightly)"


def known_finding(case, failure) -> Finding | None:
    return next((finding for finding in FINDINGS if finding.matches(case, failure)), None)


# --- tests ---------------------------------------------------------------------------


@schema.parametrize()
# The fixture's data is shared by the cases of one operation on purpose; slow generation on a
# busy machine is no reason to fail.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api(case, api_data):
    bind_to_demo_data(case)
    ensure_token()
    try:
        case.call_and_validate(checks=ALL_CHECKS)
    except FailureGroup as group:
        if not all(known_finding(case, failure) for failure in group.exceptions):
            raise


@pytest.mark.parametrize(
    ("finding", "reproduce"),
    [
        pytest.param(
            finding,
            reproduce,
            id=f"{finding.id}:{name}",
            marks=pytest.mark.xfail(strict=True, raises=(AssertionError, FailureGroup), reason=finding.summary),
        )
        for finding in FINDINGS
        for name, reproduce in finding.reproductions
    ],
)
def test_known_finding(finding, reproduce, api_data):
    reproduce(finding)


def test_served_schema_is_the_tested_one(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == RAW_SCHEMA
