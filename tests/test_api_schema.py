"""The REST API against its own OpenAPI schema, with schemathesis.

Every operation of the schema /api/schema/ serves is called in-process through the
WSGI application, twice: as a Secretariat user and as a focal point of one demo team
(each with a knox token), with every schemathesis check enabled, on a small demo data set. Generation is derandomized and writes no
example database, so a run is repeatable; writes happen inside the test's
transaction and are rolled back with it.

Only named failures are let pass, so `test_api` keeps exploring and still fails on
anything new:

- REJECTIONS: schema-valid requests the API answers 400, each named by operation and
  field, with a check that the request is that case (a reference to a record that
  does not exist, a team's second workplan for a year, ...) or else the exact message.
  Rules no schema states.
- OTHER_EXCUSES: the other failures let pass (a made-up If-Match answered 412, ...),
  each named by operation, failure and the check that the request is that case.
- FINDINGS: fixable problems. Each has reproductions in `test_known_finding`, marked
  xfail(strict=True): once a finding is fixed its reproduction passes, the strict
  xfail turns that into a failure, and the finding and the entries naming it are to
  be deleted. A rule that will never change is an entry, not a finding. None is open
  now; `test_fixed_finding` keeps the last four fixed.
"""

import contextlib
import datetime as dt
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.http import parse_etags
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
from schemathesis.openapi.checks import MissingHeaderNotRejected, RejectedPositiveData

from agencies.models import Agency
from countries.models import Country, Person, Region, Subdivision
from cycle.models import Deadline, Notification
from cycle.services import notify
from results.models import Attachment, Indicator, IndicatorValue, StandardIndicator
from teams.models import ConvenerTerm, Team
from unnutrition.demo_data import generate_demo_data
from unnutrition.wsgi import application
from workplans.models import (
    ActionArea,
    Activity,
    Amendment,
    Contribution,
    CooperationOutcome,
    EndorsementRound,
    Funder,
    JointProposal,
    NationalFramework,
    Output,
    ProgressUpdate,
    ReportingPeriod,
    ResourceMobilised,
    SdgTarget,
    Signatory,
    Tag,
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


@contextlib.contextmanager
def old_connections_kept():
    """Django's WSGI handler closes "obsolete" connections when a request starts and ends
    (close_old_connections on request_started / request_finished). Inside the test's
    transaction autocommit is off, which that check reads as obsolete: on PostgreSQL the
    connection, and the test's transaction with it, would be closed (SQLite ignores the
    close of its in-memory database). Django's test client unhooks the check around each
    request, and hooks it back after: this does the same, per request, so a test-client
    call in between (if_match_is_stale) cannot leave it hooked for the next WSGI call.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def application_in_savepoint(environ, start_response):
    """unnutrition.wsgi.application, each request in a savepoint of the test's transaction.

    DRF marks the enclosing atomic block for rollback whenever it turns an exception into
    a response (rest_framework.views.set_rollback). In a view exempt from ATOMIC_REQUESTS
    (TokenView is non_atomic_requests) that block would be the test's own transaction, and
    every later query of the test would fail. In production each request has its own
    transaction; the savepoint gives the test the same isolation.
    """
    with old_connections_kept(), transaction.atomic():
        response = application(environ, start_response)
        try:
            return list(response)
        finally:
            if hasattr(response, "close"):
                response.close()  # fires request_finished, as a WSGI server would


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
        # Results (issue 14).
        "outputs": list(Output.objects.values_list("pk", flat=True)),
        "indicators": list(Indicator.objects.values_list("pk", flat=True)),
        "indicator-values": list(IndicatorValue.objects.values_list("pk", flat=True)),
        "reporting-periods": list(ReportingPeriod.objects.values_list("pk", flat=True)),
        "attachments": list(Attachment.objects.values_list("pk", flat=True)),
        "code": list(StandardIndicator.objects.values_list("code", flat=True)),
        # The yearly cycle (issue 15).
        "deadlines": list(Deadline.objects.values_list("pk", flat=True)),
        "notifications": list(Notification.objects.values_list("pk", flat=True)),
        "amendments": list(Amendment.objects.values_list("pk", flat=True)),
        "endorsement-rounds": list(EndorsementRound.objects.values_list("pk", flat=True)),
        "signatories": list(Signatory.objects.values_list("pk", flat=True)),
        "person": list(Person.objects.filter(user__isnull=False).values_list("pk", flat=True)[:20]),
        # The money behind joint work: contributions, joint proposals, funders and activity tags.
        "contributions": list(Contribution.objects.values_list("pk", flat=True)),
        "joint-proposals": list(JointProposal.objects.values_list("pk", flat=True)),
        "funder": list(Funder.objects.filter(is_active=True).values_list("code", flat=True)),
        "tags": list(Tag.objects.values_list("code", flat=True)),
    }
    values.update(
        output=values["outputs"],
        indicator=values["indicators"],
        period=values["reporting-periods"],
        standard=values["code"],
        responsible_agency=values["agency"],
        target_id=values["workplans"],
        subdivision=values["subdivisions"],
        national_framework=values["national_frameworks"],
    )
    values.update(
        team=values["teams"],
        workplan=values["workplans"],
        activity=values["activities"],
        country=values["iso_alpha3"],
        lead_agency=values["agency"],
        participating_agencies=values["agency"],
        agencies=values["agency"],
        donor=values["funder"],
    )
    return values


@pytest.fixture(params=["secretariat", "focal_point"])
def api_data(request, db, settings):
    """Demo data, a user holding TOKEN (the Secretariat, then a focal point of one demo team),
    and WSGI calls inside the test's transaction."""
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
    if request.param == "secretariat":
        user = make_user("secretariat", password=PASSWORD)
    else:
        user = make_user("focal_point", Team.objects.filter(is_demo=True, kind="country").first(), password=PASSWORD)
    # The yearly cycle: a deadline, and a notification of the caller's.
    Deadline.objects.get_or_create(year=dt.date.today().year, kind="workplan_submission", team=None,
                                   defaults={"due_on": dt.date.today()})  # fmt: skip
    notify(recipients=[user], kind="workplan_returned", event="schema-test", params={"year": 2026, "reason": "x"})
    DATA.update(record_values(), user=user)
    ensure_token()
    yield
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
    # A made-up If-Match is stale (412): half of the writes send "*", so they reach the code behind.
    headers = case.headers if ParameterLocation.HEADER in valid and isinstance(case.headers, dict) else {}
    if "If-Match" in headers and stable_hash((salt, headers["If-Match"])) % 2 == 0:
        headers["If-Match"] = "*"
    if ParameterLocation.BODY not in valid or not isinstance(case.body, dict):
        return
    signs_in = case.operation.label == "POST /api/v1/auth/token/"
    if signs_in and stable_hash(case.body.get("username")) % 2 == 0:
        case.body.update(username=DATA["user"].username, password=PASSWORD)
    make_coherent(case)


def editable(model):
    """The ids of `model` records the caller may write to, first one first."""
    return model.objects.editable_by(DATA["user"]).order_by("pk").values_list("pk", flat=True)


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
    elif resource == "outputs":
        output = Output.objects.filter(pk=instance_id).first()
        workplan = output.workplan if output else Workplan.objects.filter(status="draft").first()
        if workplan is None:
            return
        values = {"workplan": workplan.pk, "position": 1}
        for name in ("cooperation_outcome", "national_framework", "national_objective"):
            case.body.pop(name, None)
    elif resource == "indicators":
        indicator = Indicator.objects.filter(pk=instance_id).select_related("output").first()
        output = indicator.output if indicator else Output.objects.filter(workplan__status="draft").first()
        if output is None:
            return
        values = {"output": output.pk, "unit": "number", "direction": "increase", "baseline_value": "10.00",
                  "baseline_year": output.workplan.year - 1, "by_province": False, "sdg_indicator": "",
                  "targets": [{"year": output.workplan.year, "period_kind": "annual", "value": "20.00", "text": ""}]}  # fmt: skip
        for name in ("standard", "baseline_text"):
            case.body.pop(name, None)
    elif resource == "indicator-values" and len(case.operation.path.split("/")) in (5, 6):
        value = IndicatorValue.objects.filter(pk=instance_id).select_related("indicator").first()
        indicator = value.indicator if value else Indicator.objects.filter(unit="number").first()
        if indicator is None:
            return
        period = ReportingPeriod.objects.filter(year=indicator.output.workplan.year, closed_at__isnull=True).first()
        values = {"indicator": indicator.pk, "value": "12.00", "text": ""}
        if period is not None:
            values["period"] = period.pk
        for name in ("sex", "age_group", "subdivision"):
            case.body.pop(name, None)
    elif resource == "reporting-periods" and len(case.operation.path.split("/")) in (5, 6):
        year = 2050 + stable_hash(case.body) % 40
        values = {"year": year, "start_date": f"{year}-01-01", "end_date": f"{year}-06-30", "due_date": f"{year}-07-31"}
    elif resource == "attachments" and len(case.operation.path.split("/")) in (5, 6):
        values = {"url": "https://example.org/minutes.pdf", "language": "en"}
        if method == "POST":
            values.update(target_type="workplan", target_id=DATA["workplans"][0])
        case.body.pop("file", None)
    elif resource == "contributions":
        contribution = Contribution.objects.filter(pk=instance_id).first()
        activity = contribution.activity_id if contribution else editable(Activity).first()
        if activity is None:
            return
        values = {
            "activity": activity,
            "agency": "WFP",
            "kind": "cash",
            "amount": "250.00",
            "funder": DATA["funder"][0],
        }
        case.body.pop("person_days", None)
    elif resource == "joint-proposals":
        proposal = JointProposal.objects.filter(pk=instance_id).first()
        team = proposal.team_id if proposal else editable(Team).first()
        values = {"team": team, "agencies": ["WFP", "UNICEF"], "currency": "USD", "status": "idea",
                  "submitted_on": None, "decided_on": None, "received_on": None, "activities": [], "outputs": []}  # fmt: skip
    case.body.update({k: v for k, v in values.items() if method != "PATCH" or k in case.body})


# --- what the API refuses, and why ---------------------------------------------------
#
# A schema-valid request the API answers with 400 fails `positive_data_acceptance`. Each
# such refusal test_api lets pass is named in REJECTIONS: the operations, the field the
# error is under, and a check that the request really is that case (the value names no
# record, ...) or else the exact message. A 400 with any other error fails the test.


def response_json(response):
    try:
        return response.json()
    except (ValueError, TypeError):
        return None


def sent(case, field: str) -> list:
    """The values the case sent for `field` (its body, else its query), as a list; nulls left out."""
    for container in (case.body, case.query):
        if isinstance(container, dict) and field in container:
            value = container[field]
            return [v for v in (value if isinstance(value, list) else [value]) if v is not None]
    return []


def exists(model, lookup: str, value) -> bool:
    try:
        with transaction.atomic():
            return model.objects.filter(**{lookup: value}).exists()
    except (ValueError, TypeError, OverflowError, DjangoValidationError, DatabaseError):
        return False  # not even a valid key: no record has it


def names_no_record(model, lookup: str = "pk"):
    """The case sent for the field a value no `model` record has that the caller may use.

    For the Secretariat "does not exist" means exactly that; for a focal point a record of
    another team, named in a body it writes, reads as not existing too (nothing about it
    leaks), and only such a record.
    """

    def applies(case, field):
        in_body = isinstance(case.body, dict) and field in case.body
        scoped = in_body and hasattr(model.objects, "editable_by")
        usable = model.objects.editable_by(DATA["user"]) if scoped else model.objects.all()
        return any(not exists_in(usable, lookup, value) for value in sent(case, field))

    return applies


def exists_in(queryset, lookup: str, value) -> bool:
    try:
        with transaction.atomic():
            return queryset.filter(**{lookup: value}).exists()
    except (ValueError, TypeError, OverflowError, DjangoValidationError, DatabaseError):
        return False


def updated_record(case, model):
    pk = (case.path_parameters or {}).get("id")
    return model.objects.filter(pk=pk).first() if pk is not None and exists(model, "pk", pk) else None


def moves(model):
    """An update naming another owner (`field`: team, workplan) than the record has."""

    def applies(case, field):
        record = updated_record(case, model)
        owner = str(getattr(record, f"{field}_id", None))
        return record is not None and any(str(value) != owner for value in sent(case, field))

    return applies


def takes_a_taken_year(case, field) -> bool:
    """The team already has another workplan for the year this one would have."""
    record = updated_record(case, Workplan)
    body = case.body if isinstance(case.body, dict) else {}
    team = body.get("team", record.team_id if record else None)
    year = body.get("year", record.year if record else None)
    others = Workplan.objects.exclude(pk=record.pk) if record else Workplan.objects.all()
    try:
        with transaction.atomic():
            return others.filter(team_id=team, year=year).exists()
    except (ValueError, TypeError, OverflowError, DjangoValidationError, DatabaseError):
        return False


def belongs_to_another_team(case, field) -> bool:
    record = updated_record(case, ResourceMobilised)
    body = case.body if isinstance(case.body, dict) else {}
    team = str(body.get("team", record.team_id if record else None))
    workplans = [Workplan.objects.filter(pk=v).first() for v in sent(case, field) if exists(Workplan, "pk", v)]
    return any(workplan is not None and str(workplan.team_id) != team for workplan in workplans)


def wrong_credentials(case, field) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    user = get_user_model().objects.filter(username=str(body.get("username"))).first()
    return user is None or not user.is_active or not user.check_password(str(body.get("password")))


FORM_MEDIA_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def contains_nul(case, field) -> bool:
    return any("\x00" in str(value) for value in sent(case, field))


def text_fields(operation: dict, *, body_only: bool = False) -> set[str]:
    """The query parameters and JSON body properties of an operation that take free text (or lists of it).

    Not an enum, a date or a decimal: their schemas already exclude a NUL character.
    """

    def is_text(schema: dict) -> bool:
        if schema.get("type") == "array":
            return is_text(schema.get("items", {}))
        return schema.get("type") == "string" and not {"enum", "format", "pattern", "$ref"} & set(schema)

    parameters = [] if body_only else operation.get("parameters", [])
    fields = {p["name"] for p in parameters if p["in"] == "query" and is_text(p["schema"])}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = RAW_SCHEMA["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return fields | {name for name, prop in body.get("properties", {}).items() if is_text(prop)}


def blank_once_trimmed(case, field) -> bool:
    return any(isinstance(value, str) and not value.strip() for value in sent(case, field))


LISTS_WITH_ORDERING = [
    path
    for path, operations in RAW_SCHEMA["paths"].items()
    if any(p["name"] == "ordering" for p in operations.get("get", {}).get("parameters", []))
]


def in_the_future(case, field) -> bool:
    def future(value) -> bool:
        try:
            return dt.date.fromisoformat(str(value)) > timezone.localdate()
        except ValueError:
            return False

    return any(future(value) for value in sent(case, field))


@dataclass(frozen=True)
class Rejection:
    """Schema-valid requests that `operations` answer with 400 and an error under `field`.

    `applies(case, field)` checks that the request is the named case (the value sent names
    no record, say); the error's wording then does not matter. Without it the error must
    be `message`, a regular expression the whole message matches (English: the test sends
    no Accept-Language). `finding` names the FINDINGS entry when the refusal is a fixable
    problem rather than a rule no schema can state.
    """

    operations: tuple[str, ...]
    field: str
    message: str | None
    reason: str
    applies: Callable[[object, str], bool] | None = None
    finding: str | None = None

    def explains(self, case, field: str, message: str) -> bool:
        if case.operation.label not in self.operations or field != self.field:
            return False
        if self.message is not None and re.fullmatch(self.message, message, re.DOTALL) is None:
            return False
        return self.applies is None or bool(self.applies(case, field))


def writes(resource: str, *, create: bool = True) -> tuple[str, ...]:
    updates = (f"PUT /api/v1/{resource}/{{id}}/", f"PATCH /api/v1/{resource}/{{id}}/")
    return (f"POST /api/v1/{resource}/", *updates) if create else updates


def references(operations: tuple[str, ...], fields: dict[str, tuple]) -> list[Rejection]:
    """A reference (body field or filter) naming no record: which ids and codes exist is data, not schema."""
    return [
        Rejection(
            operations,
            field,
            None,
            f"`{field}` names no {model._meta.verbose_name} (random ids and codes rarely exist)",
            names_no_record(model, lookup),
        )
        for field, (model, lookup) in fields.items()
    ]


WORKPLAN, TEAM, ACTIVITY = (Workplan, "pk"), (Team, "pk"), (Activity, "pk")
AGENCY, COUNTRY, REGION = (Agency, "acronym"), (Country, "iso_alpha3"), (Region, "slug")

REJECTIONS = [
    # Writes naming records that do not exist.
    *references(
        writes("activities"),
        {
            "workplan": WORKPLAN,
            "action_area": (ActionArea, "code"),
            "lead_agency": AGENCY,
            "participating_agencies": AGENCY,
            "sdg_targets": (SdgTarget, "code"),
            "subdivisions": (Subdivision, "code"),
            "national_frameworks": (NationalFramework, "pk"),
            "cooperation_outcome": (CooperationOutcome, "pk"),
        },
    ),
    *references(writes("workplans"), {"team": TEAM}),
    *references(writes("resources-mobilised"), {"team": TEAM, "workplan": WORKPLAN}),
    *references(("POST /api/v1/progress-updates/",), {"activity": ACTIVITY}),
    *references(("POST /api/v1/reports/",), {"region": REGION, "team": TEAM}),
    # List filters naming records that do not exist.
    *references(
        ("GET /api/v1/activities/",),
        {
            "workplan": WORKPLAN,
            "team": TEAM,
            "action_area": (ActionArea, "code"),
            "agency": AGENCY,
            "country": COUNTRY,
            "region": REGION,
        },
    ),
    *references(("GET /api/v1/progress-updates/",), {"activity": ACTIVITY, "team": TEAM, "country": COUNTRY}),
    *references(
        ("GET /api/v1/resources-mobilised/",),
        {"team": TEAM, "workplan": WORKPLAN, "country": COUNTRY, "region": REGION},
    ),
    *references(("GET /api/v1/workplans/",), {"team": TEAM, "agency": AGENCY, "country": COUNTRY, "region": REGION}),
    *references(("GET /api/v1/teams/",), {"agency": AGENCY, "country": COUNTRY, "region": REGION}),
    *references(("GET /api/v1/countries/",), {"region": REGION}),
    # Rules across fields and records.
    Rejection(
        writes("activities"),
        "subdivisions",
        r"A national activity names no provinces\.|Name at least one province, or mark the activity as national\."
        r"|Not in this team's country: .*\.",
        "provinces must agree with `is_national` and lie in the team's country",
    ),
    Rejection(
        writes("activities"),
        "national_frameworks",
        r"Not frameworks of this team's country: .*\.",
        "frameworks must be the team's country's",
    ),
    Rejection(
        writes("activities"),
        "participating_agencies",
        r"The lead agency is not also listed as participating\.",
        "the lead agency is not also a participant",
    ),
    Rejection(
        writes("activities"),
        "start_date",
        r"The activity must start during or before \d+\.|The activity must start in \d+ or later\.",
        "an activity starts from a year before its workplan's year to the end of it",
    ),
    Rejection(
        writes("activities"),
        "end_date",
        r"The activity must run into \d+ at least\.|The activity must end by \d+ at the latest\.",
        "an activity ends in its workplan's year or up to five years on",
    ),
    Rejection(
        writes("activities"),
        "non_field_errors",
        r"The end date must be on or after the start date\.",
        "end date on or after the start date",
    ),
    Rejection(
        (*writes("activities"), *writes("resources-mobilised")),
        "currency",
        r".* is not an ISO 4217 currency code\.",
        "the schema allows any 1-3 characters; the model wants an ISO 4217 code",
    ),
    Rejection(
        writes("activities", create=False),
        "workplan",
        None,
        'an activity stays in its workplan ("An activity cannot move to another workplan.")',
        moves(Activity),
    ),
    Rejection(
        writes("workplans"),
        "non_field_errors",
        None,
        'one workplan per team and year ("This team already has a workplan for this year.")',
        takes_a_taken_year,
    ),
    Rejection(
        writes("workplans", create=False),
        "team",
        None,
        'a workplan stays with its team ("A workplan cannot move to another team.")',
        moves(Workplan),
    ),
    Rejection(
        writes("resources-mobilised"),
        "workplan",
        None,
        'resources name a workplan of their own team ("This workplan belongs to another team.")',
        belongs_to_another_team,
    ),
    Rejection(
        writes("resources-mobilised", create=False),
        "team",
        None,
        'resources stay with their team ("Resources cannot move to another team.")',
        moves(ResourceMobilised),
    ),
    Rejection(
        ("POST /api/v1/progress-updates/",),
        "reported_on",
        None,
        'progress is not reported for a future date ("Progress cannot be reported for a future date.")',
        in_the_future,
    ),
    Rejection(
        ("POST /api/v1/reports/",),
        "region",
        r"Only a regional report takes a region\.|A regional report needs a region\.",
        "`region` goes with kind=regional only (a oneOf the schema does not state)",
    ),
    Rejection(
        ("POST /api/v1/reports/",),
        "team",
        r"Only a country report takes a team\.|A country report needs a team\.|Only a country report, a UN INFO "
        r"sheet and IATI XML take a team\.|A UN INFO sheet and IATI XML are made for one team: choose it\.",
        "`team` goes with kind=country, un_info or iati only (a oneOf the schema does not state)",
    ),
    Rejection(
        ("POST /api/v1/reports/",),
        "format",
        r"This file comes in one format only: (xlsx|xml)\.|XML is the format of IATI files only: choose PDF, XLSX "
        r"or CSV\.",
        "`format` is xlsx for kind=un_info, xml for kind=iati and for it only (a oneOf the schema does not state)",
    ),
    Rejection(
        ("POST /api/v1/auth/token/",),
        "non_field_errors",
        None,
        "wrong username or password answer 400 with a message, as DRF's sign-in does (the schema declares no "
        "tokenUrl, by which schemathesis would know to expect it)",
        wrong_credentials,
    ),
    # The roster and access endpoints (teams/api/entries.py, access/api/views.py): references, then the
    # services' rules no schema states (membership, one running term per role, one waiting invitation).
    *references(("GET /api/v1/focal-points/", "GET /api/v1/convener-terms/"), {"agency": AGENCY, "country": COUNTRY}),
    *references(("GET /api/v1/team-memberships/",), {"agency": AGENCY}),
    *references(
        (
            "GET /api/v1/focal-points/",
            "GET /api/v1/convener-terms/",
            "GET /api/v1/team-memberships/",
            "GET /api/v1/invitations/",
            "GET /api/v1/access-requests/",
        ),
        {"team": TEAM},
    ),
    *references(
        (
            "POST /api/v1/focal-points/",
            "POST /api/v1/convener-terms/",
            "POST /api/v1/team-memberships/",
            "POST /api/v1/invitations/",
            "POST /api/v1/access-requests/",
        ),
        {"team": TEAM, "agency": AGENCY},
    ),
    *references(("PATCH /api/v1/convener-terms/{id}/",), {"agency": AGENCY}),
    *references(("POST /api/v1/invitations/",), {"hand_over_of": (ConvenerTerm, "pk")}),
    Rejection(
        ("POST /api/v1/focal-points/", "POST /api/v1/invitations/", "POST /api/v1/access-requests/"),
        "agency",
        r".* is not a member of this team: (propose it as a member agency first|ask its convener to propose it)\."
        r"|You are already a focal point of .* in this team\.",
        "a focal point is for a member agency of the team, once",
    ),
    Rejection(
        ("POST /api/v1/team-memberships/",),
        "agency",
        r".* is already a member of this team\.|.* has already been proposed to this team: the Secretariat will decide\.",
        "an agency joins a team once",
    ),
    Rejection(
        (
            "POST /api/v1/focal-points/",
            "PATCH /api/v1/focal-points/{id}/",
            "PATCH /api/v1/convener-terms/{id}/",
            "POST /api/v1/convener-terms/",
            "POST /api/v1/invitations/",
        ),
        "email",
        r".* is already a focal point of .* in this team\.|Another person already has this e-mail address\."
        r"|.* already has an invitation to this role waiting: resend it instead\.|.* already holds this role in this team\."
        r"|A hand-over of this term is already waiting: revoke it first to name someone else\."
        r"|Name someone else: this is the outgoing convener's address\.",
        "one person per address, one focal point entry and one waiting invitation per person and role",
    ),
    Rejection(
        (
            "POST /api/v1/focal-points/",
            "PATCH /api/v1/focal-points/{id}/",
            "PATCH /api/v1/convener-terms/{id}/",
        ),
        "phone",
        r"Enter a phone number such as .*\.",
        "a phone number's characters (the schema takes any text up to 40)",
    ),
    Rejection(
        (
            "PATCH /api/v1/focal-points/{id}/",
            "PATCH /api/v1/convener-terms/{id}/",
            "POST /api/v1/focal-points/{id}/end/",
            "POST /api/v1/convener-terms/{id}/end/",
            "POST /api/v1/convener-terms/",
        ),
        "non_field_errors",
        r"The end date must be on or after the start date\.|Name the convening agency, or tick .*\."
        r"|This team already has an active term in this role: end it before starting a new one\.",
        "dates in order, a convening agency or the Resident Coordinator, one running term per role",
    ),
    Rejection(
        (
            "POST /api/v1/focal-points/{id}/end/",
            "POST /api/v1/convener-terms/{id}/end/",
            "PATCH /api/v1/convener-terms/{id}/",
        ),
        "end_date",
        r"This (focal point|term) already ended on .*\.|The end date must be on or after the start date \(.*\)\.",
        "an entry ends once, after it starts",
    ),
    Rejection(
        ("PATCH /api/v1/convener-terms/{id}/",),
        "start_date",
        r"These dates overlap another .* term of this team\.",
        "a team's terms in one role do not overlap",
    ),
    Rejection(
        ("PATCH /api/v1/convener-terms/{id}/",),
        "name",
        r"No person is recorded for this term\.",
        "contacts are a recorded person's",
    ),
    Rejection(
        ("POST /api/v1/focal-points/{id}/end/",),
        "note",
        r"Say why, in a few words, when the reason is 'other'\.",
        "the reason 'other' needs a note",
    ),
    Rejection(
        ("POST /api/v1/convener-terms/", "POST /api/v1/invitations/"),
        "role",
        r"This team already has a .* term running on .*: hand over or end it first\."
        r"|This team already has a .*: the person in that term or the Secretariat hands over to a successor instead\."
        r"|Choose the role \(or send hand_over_of for a hand-over\)\.",
        "one running term per role: a successor comes by hand-over",
    ),
    Rejection(
        ("POST /api/v1/invitations/",),
        "non_field_errors",
        r"Choose the member agency the focal point is for\.|Name the convening agency, or tick .*\."
        r"|This term has ended: there is nothing to hand over\.|Choose the team for this role\.",
        "a focal point's agency, a convener's agency or the Resident Coordinator, a running term to hand over",
    ),
    Rejection(
        ("POST /api/v1/invitations/",),
        "team",
        r"Choose the team for this role\.",
        "every role but viewer is in a team",
    ),
    Rejection(
        ("POST /api/v1/invitations/",),
        "starts_on",
        r"Give the day the successor takes over\.|The successor must start after .*, when this term began\."
        r"|The outgoing term already ended on .*\.",
        "a hand-over names a day after the outgoing term began",
    ),
    Rejection(
        ("POST /api/v1/access-requests/",),
        "team",
        r"You have already asked for access to this team: wait for the answer\.",
        "one waiting request per team",
    ),
    Rejection(
        (
            "GET /api/v1/teams/",
            "GET /api/v1/focal-points/",
            "GET /api/v1/convener-terms/",
            "GET /api/v1/invitations/",
        ),
        "modified_since",
        r"Give a date and time between the years 1 and 9999\.",
        "a moment the database can hold once in UTC (0001-01-01T00:00:00+10:00 is in year 0)",
    ),
    Rejection(
        ("POST /api/v1/team-memberships/{id}/decline/", "POST /api/v1/access-requests/{id}/decline/"),
        "reason",
        r"Say why the (proposal|request) is declined: the (team|requester) reads it\.",
        "a refusal says why",
    ),
    # Text with a NUL character, in any text field of any operation (named one by one from the schema).
    *(
        Rejection(
            (f"{method.upper()} {path}",),
            field,
            None,
            "text cannot contain NUL characters (PostgreSQL cannot store them); the schema does not say so",
            contains_nul,
        )
        for path, operations in RAW_SCHEMA["paths"].items()
        for method, operation in operations.items()
        for field in sorted(text_fields(operation))
    ),
    # Text that is only white space, where text is required (DRF trims it to nothing).
    *(
        Rejection(
            (f"{method.upper()} {path}",),
            field,
            None,
            'text is trimmed, and white space alone is blank ("This field may not be blank."); the schema\'s '
            "minLength counts the spaces",
            blank_once_trimmed,
        )
        for path, operations in RAW_SCHEMA["paths"].items()
        for method, operation in operations.items()
        for field in sorted(text_fields(operation, body_only=True))
    ),
]


# --- results (issue 14): outputs, indicators, values, reporting periods, evidence ----------------------

OUTPUT, INDICATOR, PERIOD = (Output, "pk"), (Indicator, "pk"), (ReportingPeriod, "pk")


def names_no_target(case, field) -> bool:
    """`target_id` names no record of `target_type` the caller may add evidence to."""
    from results.services import TARGETS

    body = case.body if isinstance(case.body, dict) else {}
    model = TARGETS.get(body.get("target_type"), (None,))[0]
    if model is None:
        return False
    scoped = getattr(model.objects, "editable_by", None)
    usable = scoped(DATA["user"]) if scoped else model.objects.all()
    return any(not exists_in(usable, "pk", value) for value in sent(case, field))


VALUE_PROBLEMS = (
    r"A percentage is between 0 and 100; .* is not\.|This indicator is answered yes or no \(1 for yes, 0 for no\), not .*\."
    r"|This indicator counts something: it cannot be negative\.|Enter a number\.|Answer yes or no\."
    r"|This indicator is qualitative: describe the result in words, without a number\."
)
TEXT_PROBLEMS = r"Describe the result in words\.|Only a qualitative indicator takes words here; give a number \(and use the comment\)\."

REJECTIONS += [
    *references(
        writes("outputs"),
        {
            "workplan": WORKPLAN,
            "action_area": (ActionArea, "code"),
            "cooperation_outcome": (CooperationOutcome, "pk"),
            "national_framework": (NationalFramework, "pk"),
        },
    ),  # fmt: skip
    *references(
        writes("indicators"), {"output": OUTPUT, "standard": (StandardIndicator, "code"), "responsible_agency": AGENCY}
    ),
    *references(
        writes("indicator-values"), {"indicator": INDICATOR, "period": PERIOD, "subdivision": (Subdivision, "code")}
    ),
    *references(writes("activities"), {"output": OUTPUT}),
    *references(("POST /api/v1/progress-updates/",), {"period": PERIOD}),
    *references(
        ("GET /api/v1/outputs/",),
        {
            "workplan": WORKPLAN,
            "team": TEAM,
            "country": COUNTRY,
            "region": REGION,
            "action_area": (ActionArea, "code"),
            "cooperation_outcome": (CooperationOutcome, "pk"),
        },
    ),  # fmt: skip
    *references(
        ("GET /api/v1/indicators/",),
        {
            "output": OUTPUT,
            "workplan": WORKPLAN,
            "team": TEAM,
            "country": COUNTRY,
            "region": REGION,
            "standard": (StandardIndicator, "code"),
        },
    ),  # fmt: skip
    *references(
        ("GET /api/v1/indicator-values/",),
        {
            "indicator": INDICATOR,
            "output": OUTPUT,
            "workplan": WORKPLAN,
            "team": TEAM,
            "period": PERIOD,
            "country": COUNTRY,
            "region": REGION,
        },
    ),  # fmt: skip
    *references(("GET /api/v1/attachments/",), {"team": TEAM, "country": COUNTRY}),
    Rejection(
        ("POST /api/v1/attachments/",),
        "target_id",
        None,
        "`target_id` names no record of `target_type` the caller may add evidence to",
        names_no_target,
    ),
    # Rules no schema states: the services' (results/services.py, workplans/services.py).
    Rejection(
        writes("activities"),
        "output",
        r"This output belongs to another workplan\.",
        "an activity's output is one of its own workplan",
    ),
    Rejection(
        ("POST /api/v1/progress-updates/",),
        "period",
        r"Choose a period of \d+, the workplan's year\.|The .* period is closed: report in an open period\.",
        "progress goes into an open period of the workplan's year",
    ),
    Rejection(
        writes("outputs"),
        "cooperation_outcome",
        r"This outcome belongs to another country's Cooperation Framework\."
        r"|This outcome's Cooperation Framework runs \d+–\d+, not in \d+\.",
        "an output's Cooperation Framework outcome is the country's, running in the plan's year",
    ),
    Rejection(
        writes("outputs"), "national_framework", r"This framework is another country's\.", "the country's framework"
    ),
    Rejection(
        writes("outputs"),
        "national_objective",
        r"Name the national framework this objective belongs to\.",
        "an objective belongs to a named national framework",
    ),
    Rejection(
        writes("outputs"),
        "non_field_errors",
        r"This workplan already has an output with this title\.",
        "one output of a title per workplan",
    ),
    Rejection(
        writes("outputs", create=False),
        "workplan",
        None,
        'an output stays in its workplan ("An output cannot move to another workplan.")',
        moves(Output),
    ),
    Rejection(
        writes("indicators"),
        "unit",
        r".* is a standard indicator: its unit is .*\.|Values are reported for this indicator: its unit cannot change now\.",
        "a standard indicator keeps the catalogue's unit; a unit stays once values are reported",
    ),
    Rejection(
        writes("indicators"),
        "direction",
        r".* is a standard indicator: its desired direction is .*\."
        r"|A yes/no or qualitative indicator has no direction to decrease in\.",
        "a standard indicator keeps the catalogue's direction; yes/no and words have none to decrease in",
    ),
    Rejection(
        writes("indicators"),
        "sdg_indicator",
        r".* is SDG indicator .*\.|Write an SDG indicator's number, such as 2\.2\.1\.",
        "a standard indicator keeps its SDG number; an SDG number is written 2.2.1",
    ),
    Rejection(
        writes("indicators"),
        "standard",
        r".* is no longer offered by the Secretariat\.|Values are reported for this indicator: what it measures cannot "
        r"change now\.",
        "the catalogue's active entries; what an indicator measures stays once values are reported",
    ),
    Rejection(writes("indicators"), "baseline_value", VALUE_PROBLEMS, "a baseline in the indicator's unit and range"),
    Rejection(writes("indicators"), "baseline_text", TEXT_PROBLEMS, "words for a qualitative indicator only"),
    Rejection(
        writes("indicators"),
        "baseline_year",
        r"Give the year of the baseline\.|The baseline is measured in \d+ or before\."
        r"|Give the baseline year before setting targets: a target is measured from a baseline\.",
        "a baseline has a year, not after the plan's; targets need it",
    ),
    Rejection(
        writes("indicators"),
        "by_province",
        r"Only a country team's indicators are broken down by province\.",
        "provinces belong to a country",
    ),
    Rejection(
        writes("indicators"),
        "targets",
        r"Targets are set for \d+ to \d+, not \d+\.|Two targets are given for the .* period of \d+\."
        r"|Target for the .* period of \d+: .*",
        "targets for the plan's year to five years on, one per period, in the indicator's unit",
    ),
    Rejection(
        writes("indicators", create=False),
        "output",
        r"An indicator stays in its workplan: choose an output of this one\.",
        "an indicator moves only between outputs of its workplan",
    ),
    Rejection(
        writes("indicators"), "non_field_errors", r"Give the year of the baseline value\.", "a baseline has a year"
    ),
    Rejection(writes("indicator-values"), "value", VALUE_PROBLEMS, "a value in the indicator's unit and range"),
    Rejection(writes("indicator-values"), "text", TEXT_PROBLEMS, "words for a qualitative indicator only"),
    *(
        Rejection(
            writes("indicator-values"),
            field,
            r"This indicator is not broken down by (sex|age group|province)\.|This province is not in the team's country\."
            r"|A value keeps its indicator, period and breakdown: enter a new value instead\.",
            "breakdowns the indicator has, in its country; a value keeps its breakdown",
        )
        for field in ("sex", "age_group", "subdivision")
    ),
    *(
        Rejection(
            writes("indicator-values", create=False),
            field,
            r"A value keeps its indicator, period and breakdown: enter a new value instead\.",
            "a value keeps its indicator and period",
        )
        for field in ("indicator", "period")
    ),
    Rejection(
        ("POST /api/v1/indicator-values/",),
        "period",
        r"This workplan is for \d+: enter values for a period of \d+\.",
        "values of a year's plan go into that year's periods",
    ),
    Rejection(
        ("POST /api/v1/indicator-values/",),
        "non_field_errors",
        r"A value for this period and breakdown is already entered: correct it\.",
        "one value per period and breakdown",
    ),
    Rejection(
        ("POST /api/v1/indicator-values/{id}/return/", "POST /api/v1/indicator-values/{id}/unlock/"),
        "reason",
        r"Say why the value is (returned: the team reads it to correct the value|unlocked: it is kept in its history)\.",
        "a return or an unlock says why",
    ),
    Rejection(
        ("POST /api/v1/reporting-periods/{id}/reopen/",),
        "reason",
        r"Say why the period is opened again: it is kept in its history\.",
        "a reopening says why",
    ),
    Rejection(
        writes("reporting-periods"),
        "non_field_errors",
        r"This year already has a period of this kind\.|The end date must be on or after the start date\."
        r"|The due date must be on or after the end of the period\.",
        "one period of a kind per year; dates in order",
    ),
    *(
        Rejection(
            writes("reporting-periods", create=False),
            field,
            r"Values or progress are already reported for this period: its year and kind stay\.",
            "a period that has reports keeps its year and kind",
        )
        for field in ("year", "kind")
    ),
    Rejection(
        ("POST /api/v1/attachments/",),
        "file",
        r".* is empty\.|.* is .*: files of up to .* are accepted\.|.*: this type of file is not accepted\. Accepted: .*"
        r"|.* is not a .*: its content is .*\.|Attach a file or give a link\.",
        "a file is judged by its content and size (the schema says only: binary)",
    ),
    Rejection(
        writes("attachments"),
        "url",
        r"Enter a valid URL\.",
        "a web address with a scheme and a host (the schema's `uri` format takes any URI, `a:` too)",
    ),
    Rejection(
        ("POST /api/v1/attachments/",),
        "file",
        r"The submitted data was not a file\. Check the encoding type on the form\.",
        "a file comes in a multipart form; a JSON body has none (its schema still lists `file`, as binary)",
    ),
    Rejection(
        writes("indicators"),
        "title",
        r"Give the indicator a title, or choose a standard indicator\.",
        "a custom indicator is named",
    ),
    Rejection(
        writes("attachments"),
        "url",
        r"Attach a file or give a link, not both\.|Give a web address starting with https:// or http://\."
        r"|Evidence stays on its record, with its file: add new evidence instead\.",
        "a link or a file, a web address; a file's evidence takes no link",
    ),
]


# --- the money behind joint work (workplans/api/funding.py): contributions, joint proposals, tags ---------

FUNDER = (Funder, "code")

REJECTIONS += [
    *references(writes("activities"), {"tags": (Tag, "code")}),
    Rejection(
        writes("activities", create=False),
        "budget_available",
        r"Budget available is the sum of the activity's contributions \(.*\): change the contributions, not this "
        r"figure\.",
        "once an activity has contributions its budget available is their sum, not typed",
    ),
    Rejection(
        (*writes("activities", create=False), "POST /api/v1/progress-updates/"),
        "reason",
        r"The .* period is closed: say why you change its data \(kept in the history\)\.",
        "the Secretariat changes a closed year's activities and progress saying why (optional while the year is open)",
    ),
    *references(writes("contributions"), {"activity": ACTIVITY, "agency": AGENCY, "funder": FUNDER}),
    *references(
        ("GET /api/v1/contributions/",),
        {"activity": ACTIVITY, "team": TEAM, "country": COUNTRY, "agency": AGENCY, "funder": FUNDER},
    ),
    Rejection(
        writes("contributions", create=False),
        "activity",
        None,
        'a contribution stays with its activity ("A contribution cannot move to another activity.")',
        moves(Contribution),
    ),
    Rejection(
        writes("contributions"),
        "funder",
        r"This funding source is no longer offered: choose another one\.",
        "a new line names a funding source the Secretariat still offers",
    ),
    Rejection(
        writes("contributions"),
        "person_days",
        r"Person-days are for staff time and technical assistance\.",
        "person-days go with staff time and technical assistance only",
    ),
    Rejection(
        writes("contributions"),
        "non_field_errors",
        r"This agency already has a line of this kind from this funding source: change that one\."
        r"|Give an amount, or person-days for staff time and technical assistance\.",
        "one line per agency, kind and funding source, saying how much",
    ),
    *references(
        writes("joint-proposals"),
        {"team": TEAM, "donor": FUNDER, "agencies": AGENCY, "activities": ACTIVITY, "outputs": OUTPUT},
    ),
    *references(("GET /api/v1/joint-proposals/",), {"team": TEAM, "country": COUNTRY, "agency": AGENCY}),
    Rejection(
        writes("joint-proposals", create=False),
        "team",
        None,
        'a proposal stays with its team ("A proposal cannot move to another team.")',
        moves(JointProposal),
    ),
    Rejection(
        writes("joint-proposals"),
        "currency",
        r".* is not an ISO 4217 currency code\.",
        "the schema allows any 1-3 characters; the model wants an ISO 4217 code",
    ),
    Rejection(
        writes("joint-proposals"),
        "agencies",
        r"Name the agencies proposing it together\.",
        "a joint proposal has agencies",
    ),
    *(
        Rejection(
            writes("joint-proposals"),
            field,
            r"Not this team's (activities|outputs): .*\.",
            "a proposal funds its own team's activities and outputs",
        )
        for field in ("activities", "outputs")
    ),
    *(
        Rejection(
            writes("joint-proposals"),
            field,
            r"A proposal that is .* says when it was .*\.|The dates follow each other: submitted, then decided, then "
            r"received\.",
            "a status reached says when; the dates in order",
        )
        for field in ("submitted_on", "decided_on", "received_on")
    ),
]


# --- the yearly cycle (issue 15): deadlines, amendments, signatories ------------------------------------

# Spreadsheet imports (exchange/api/views.py): the workplan or team named, then the file, judged by its
# content (exchange/xlsx.py: an XLSX, no macros, no password, no zip bomb), not by the schema's `binary`.
REJECTIONS += [
    *references(("POST /api/v1/imports/",), {"workplan": WORKPLAN}),
    *references(("POST /api/v1/imports/roster/",), {"team": TEAM}),
    *references(("GET /api/v1/imports/",), {"team": TEAM, "workplan": WORKPLAN}),
    Rejection(
        ("POST /api/v1/imports/", "POST /api/v1/imports/roster/"),
        "file",
        r"(?s).*\b(Excel|[Ww]orkbook|[Ff]ile|MB)\b.*",
        "an uploaded spreadsheet is judged by its content (exchange/xlsx.py); the schema says only: binary",
    ),
]

REJECTIONS += [
    *references(("POST /api/v1/amendments/",), {"workplan": WORKPLAN}),
    *references(("POST /api/v1/signatories/",), {"team": TEAM, "agency": AGENCY, "person": (Person, "pk")}),
    *references(("POST /api/v1/deadlines/",), {"team": TEAM}),
    *references(("GET /api/v1/deadlines/", "GET /api/v1/notifications/"), {"team": TEAM}),
    *references(("GET /api/v1/amendments/", "GET /api/v1/endorsement-rounds/"), {"team": TEAM, "workplan": WORKPLAN}),
    *references(("GET /api/v1/signatories/",), {"team": TEAM, "agency": AGENCY}),
    Rejection(
        ("POST /api/v1/signatories/",),
        "agency",
        r".* is not a member of this team: only member agencies sign\.",
        "only a member agency of the team (now) has a signatory: which agencies are members is data",
    ),
    Rejection(
        ("POST /api/v1/deadlines/", "PATCH /api/v1/deadlines/{id}/"),
        "due_on",
        r"A deadline of \d+ falls between \d+ and \d+\.|The due date must be on or after the end of the period\.",
        "a deadline falls in its year (or the one before or after); a report's after its period",
    ),
    Rejection(
        ("POST /api/v1/deadlines/", "PATCH /api/v1/deadlines/{id}/"),
        "non_field_errors",
        r"This year already has this deadline: change it\.|This team already has its own date for this deadline: change it\.",
        "one date per year and kind (and per team for an exception): the calendar already holds the demo years'",
    ),
    Rejection(
        ("POST /api/v1/amendments/{id}/submit/",),
        "non_field_errors",
        r"Nothing has changed since the workplan was endorsed: .*|An administrative correction changes wording only; .*"
        r"|The budget required changes by .*",
        "an amendment changes something, and what fits its type",
    ),
]


def rejected_as_listed(case, failure) -> bool:
    """A 400 whose every message, under every field, is a listed rejection of this case."""
    if not isinstance(failure, RejectedPositiveData) or failure.status_code != 400:
        return False
    data = response_json(DATA.get("response"))
    return (
        isinstance(data, dict)
        and bool(data)
        and all(
            isinstance(messages, list)
            and bool(messages)
            and all(
                isinstance(message, str) and any(r.explains(case, field, message) for r in REJECTIONS)
                for message in messages
            )
            for field, messages in data.items()
        )
    )


# --- other refusals ------------------------------------------------------------------
#
# Failures other than a 400 with field errors that test_api lets pass, each named by
# operation with the check that the request is that case.


def negated_query_parameter(case) -> str | None:
    data = case.meta.phase.data if case.meta is not None else None
    if data is not None and data.parameter_location == ParameterLocation.QUERY:
        return data.parameter
    return None


def if_match(case) -> str | None:
    return next((v for k, v in (case.headers or {}).items() if k.lower() == "if-match"), None)


def record_path(case) -> str:
    """The record an operation changes: /api/v1/workplans/7/ for /api/v1/workplans/{id}/submit/ too."""
    path = case.operation.path.split("{id}")[0] + "{id}/"
    return path.format(**{name: str(value) for name, value in (case.path_parameters or {}).items()})


def if_match_is_stale(case) -> bool:
    """If-Match names no ETag the record has now (schemathesis makes up the header's value)."""
    sent_value = if_match(case)
    if sent_value is None or sent_value.strip() in ("", "*"):
        return False
    client = APIClient()
    client.force_authenticate(DATA["user"])
    current = client.get(record_path(case)).get("ETag")
    return current is None or current.removeprefix("W/") not in {
        tag.removeprefix("W/") for tag in parse_etags(sent_value)
    }


@dataclass(frozen=True)
class Excuse:
    """Failures of `kind` on `operations` that are the named case (`applies`), for `reason`."""

    operations: tuple[str, ...]
    kind: type
    reason: str
    applies: Callable[[object, Failure], bool]
    finding: str | None = None

    def explains(self, case, failure) -> bool:
        return (
            case.operation.label in self.operations and isinstance(failure, self.kind) and self.applies(case, failure)
        )


def not_the_callers_record(case) -> bool:
    """The record the path names is not one the caller may change: another team's, or one that does not
    exist (any more: an earlier case of the same test may have deleted it)."""
    model = {
        "activities": Activity,
        "workplans": Workplan,
        "resources-mobilised": ResourceMobilised,
        "outputs": Output,
        "indicators": Indicator,
        "indicator-values": IndicatorValue,
        "attachments": Attachment,
        "contributions": Contribution,
        "joint-proposals": JointProposal,
        "deadlines": Deadline,
        "amendments": Amendment,
        "signatories": Signatory,
    }.get(case.operation.path.split("/")[3])
    pk = (case.path_parameters or {}).get("id")
    if case.operation.path.startswith("/api/v1/notifications/{id}/"):  # the caller's own notifications only
        return not exists_in(Notification.objects.filter(recipient=DATA["user"]), "pk", pk)
    return model is not None and not exists_in(model.objects.editable_by(DATA["user"]), "pk", pk)


def with_if_match() -> tuple[str, ...]:
    return tuple(
        f"{method.upper()} {path}"
        for path, operations in RAW_SCHEMA["paths"].items()
        for method, operation in operations.items()
        if any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", []))
    )


# An empty query value means "not given", as for every filter of the API (unnutrition/api/dashboard.py).
EMPTY_MEANS_ABSENT = {
    "GET /api/v1/activities/": ("not_updated_since",),
    "GET /api/v1/dashboard/summary/": ("year",),
    # The roster and access lists: modified_since= (core.filters.ModifiedSinceFilter) and their choices.
    "GET /api/v1/teams/": ("modified_since",),
    "GET /api/v1/focal-points/": ("modified_since",),
    "GET /api/v1/convener-terms/": ("modified_since", "role"),
    "GET /api/v1/team-memberships/": ("status",),
    "GET /api/v1/invitations/": ("modified_since", "role", "status"),
    "GET /api/v1/access-requests/": ("status",),
    # Results (issue 14): their choice and yes/no filters.
    "GET /api/v1/standard-indicators/": ("unit", "category", "is_active"),
    "GET /api/v1/reporting-periods/": ("kind", "closed"),
    "GET /api/v1/attachments/": ("kind", "visibility", "language", "target_type"),
    "GET /api/v1/indicator-values/": ("status",),
    "GET /api/v1/indicators/": ("unit",),
    # The reference lists of the money behind joint work: their choice and yes/no filters.
    "GET /api/v1/activity-tags/": ("group",),
    "GET /api/v1/funders/": ("kind", "is_active"),
    "GET /api/v1/contributions/": ("kind",),
}


def nul_in_targets(case, failure) -> bool:
    """A target's text with a NUL character: refused at that target (a nested error the REJECTIONS' flat
    messages cannot name)."""
    body = case.body if isinstance(case.body, dict) else {}
    targets = body.get("targets") if isinstance(body.get("targets"), list) else []
    data = response_json(DATA.get("response"))
    return (
        failure.status_code == 400
        and any(isinstance(t, dict) and "\x00" in str(t.get("text", "")) for t in targets)
        and isinstance(data, dict)
        and set(data)
        <= {"targets"} | set(text_fields(RAW_SCHEMA["paths"]["/api/v1/indicators/"]["post"], body_only=True))
    )


OTHER_EXCUSES = [
    Excuse(
        writes("indicators"),
        RejectedPositiveData,
        "a NUL character in a target's text is refused at that target (nested: not a flat field error)",
        nul_in_targets,
    ),
    Excuse(
        tuple(EMPTY_MEANS_ABSENT),
        AcceptedNegativeData,
        "an empty `not_updated_since=`, `modified_since=`, `year=` or choice reads as not given, by design, where "
        "the schema (a date, a date-time, an integer, an enum) would have it refused",
        lambda case, failure: (
            negated_query_parameter(case) in EMPTY_MEANS_ABSENT[case.operation.label]
            and all(value == "" for value in sent(case, negated_query_parameter(case)))
        ),
    ),
    Excuse(
        with_if_match(),
        RejectedPositiveData,
        "412: If-Match names an ETag the record does not have (a made-up one); the schema cannot know the current one",
        lambda case, failure: failure.status_code == 412 and if_match_is_stale(case),
    ),
    Excuse(
        with_if_match(),
        MissingHeaderNotRejected,
        "428 Precondition Required is the answer to a missing If-Match (RFC 6585); schemathesis expects a 4xx "
        "from its own list, which lacks 428",
        lambda case, failure: failure.header_name.lower() == "if-match" and failure.status_code == 428,
    ),
    Excuse(
        with_if_match(),
        MissingHeaderNotRejected,
        "404 for a record that does not exist or is another team's, whatever the headers: a team's people cannot "
        "change it, and are not told it exists (checked: the record is not one the caller may change)",
        lambda case, failure: failure.status_code == 404 and not_the_callers_record(case),
    ),
]


# --- known findings ----------------------------------------------------------------
#
# Fixable problems. Each has reproductions in `test_known_finding`, marked
# xfail(strict=True): once the finding is fixed its reproduction passes, the strict xfail
# turns that into a failure, and the finding and the entries naming it are to be deleted.


def call(method: str, path: str, **values):
    """One explicit case, authenticated as the Secretariat."""
    operation = schema[path][method]
    case = operation.Case(**values)
    schema.auth.set(case, AuthContext(operation=operation, app=schema.app))
    ensure_token()
    return case


def parameter_schema(method: str, path: str, name: str, location: str = "query") -> dict:
    operation = RAW_SCHEMA["paths"][path][method.lower()]
    return next(p["schema"] for p in operation.get("parameters", []) if p["name"] == name and p["in"] == location)


def year_filters_state_their_bounds():
    for label in (
        f"GET /api/v1/{resource}/"
        for resource in ("activities", "progress-updates", "reports", "resources-mobilised", "workplans")
    ):
        method, path = label.split(" ", 1)
        year = parameter_schema(method, path, "year")
        assert (year.get("type"), year.get("minimum"), year.get("maximum")) == ("integer", 2000, 2100), (
            f"{label}: `year` is documented as {year}"
        )


def orderings_are_documented():
    for path in LISTS_WITH_ORDERING:
        ordering = parameter_schema("GET", path, "ordering")
        assert {"enum", "pattern"} & set(ordering) or {"enum", "pattern"} & set(ordering.get("items", {})), (
            f"GET {path}: `ordering` is documented as {ordering}"
        )


def null_in_a_form_body_is_accepted():
    """Fixed either way: the API takes JSON only, or a form's null (schemathesis sends "null") is accepted."""
    path = "/api/v1/resources-mobilised/"
    if "application/x-www-form-urlencoded" not in RAW_SCHEMA["paths"][path]["post"]["requestBody"]["content"]:
        return
    body = {"team": DATA["teams"][0], "workplan": None, "source": "Joint appeal", "amount": "10.00", "purpose": "x"}
    response = call("POST", path, body=body, media_type="application/x-www-form-urlencoded").call()
    assert response.status_code == 201, f"a form-encoded null workplan is refused: {response.text}"


def if_match_must_not_be_empty():
    for label in with_if_match():
        method, path = label.split(" ", 1)
        header = parameter_schema(method, path, "If-Match", "header")
        assert header.get("minLength", 0) >= 1 or "pattern" in header, f"{label}: If-Match is documented as {header}"


@dataclass(frozen=True)
class Finding:
    id: str
    summary: str
    reproductions: tuple[tuple[str, Callable[[], None]], ...]


# None open: the last four (year bounds, orderings, form-encoded nulls, empty If-Match) were
# fixed in the schema and the API (test_fixed_finding keeps them fixed); a new one goes here.
FINDINGS: list[Finding] = []
FIXED = {
    "year-filter-bounds": year_filters_state_their_bounds,
    "ordering-values-undocumented": orderings_are_documented,
    "null-in-form-body": null_in_a_form_body_is_accepted,
    "empty-if-match": if_match_must_not_be_empty,
}


def explained(case, failure) -> bool:
    """A refusal REJECTIONS or OTHER_EXCUSES name for this very case."""
    return rejected_as_listed(case, failure) or any(excuse.explains(case, failure) for excuse in OTHER_EXCUSES)


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
        if not all(explained(case, failure) for failure in group.exceptions):
            raise


@pytest.mark.parametrize(
    "reproduce",
    [
        pytest.param(
            reproduce,
            id=f"{finding.id}:{name}",
            marks=pytest.mark.xfail(strict=True, raises=(AssertionError, FailureGroup), reason=finding.summary),
        )
        for finding in FINDINGS
        for name, reproduce in finding.reproductions
    ],
)
def test_known_finding(reproduce, api_data):
    reproduce()


def request_fields(operation: dict) -> set[str]:
    """The query parameters and body properties (JSON, else a form's) of an operation of RAW_SCHEMA."""
    names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    content = operation.get("requestBody", {}).get("content", {})
    media_type = "application/json" if "application/json" in content else next(iter(content), None)
    body = content.get(media_type, {}).get("schema", {})
    if "$ref" in body:
        body = RAW_SCHEMA["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return names | set(body.get("properties", {}))


def test_rejections_name_operations_and_fields_of_the_schema():
    """An entry for an operation or field the API no longer has would excuse nothing: remove it."""
    findings = {finding.id for finding in FINDINGS}
    for excuse in OTHER_EXCUSES:
        assert excuse.finding in findings | {None}, excuse
        assert excuse.operations and all(label.split(" ", 1)[1] in RAW_SCHEMA["paths"] for label in excuse.operations)
    for rejection in REJECTIONS:
        assert rejection.finding in findings | {None}, rejection
        assert rejection.message is not None or rejection.applies is not None, f"{rejection} would excuse any error"
        for label in rejection.operations:
            method, path = label.split(" ", 1)
            operation = RAW_SCHEMA["paths"].get(path, {}).get(method.lower())
            assert operation is not None, f"no operation {label}"
            assert rejection.field in request_fields(operation) | {"non_field_errors"}, (
                f"{label} has no {rejection.field}"
            )


def test_served_schema_is_the_tested_one(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == RAW_SCHEMA


@pytest.mark.parametrize("finding", FIXED)
def test_fixed_finding(finding, api_data):
    FIXED[finding]()


def test_a_test_client_call_between_cases_keeps_the_transaction(api_data):
    """Django's test client hooks close_old_connections back after each request it makes (as
    if_match_is_stale does between calls); the next call through the WSGI application must
    still run in the test's transaction. On PostgreSQL it found its connection closed (500)."""
    APIClient().get("/api/v1/")
    response = call("GET", "/api/v1/activities/").call()
    assert response.status_code == 200, response.text[:300]
    assert connection.in_atomic_block and connection.is_usable()
