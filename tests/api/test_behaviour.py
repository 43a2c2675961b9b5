"""What API clients rely on: tokens, conditional requests, CSV rosters, filters,
clear errors on bad input, and a fixed number of queries per list."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Agency
from core.models import current_on
from teams.models import ConvenerTerm, Team
from unnutrition.demo_data import generate_demo_data
from workplans import services
from workplans.models import Activity

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia, username="sophea", password="correct horse battery")


@pytest.fixture
def activity(cambodia):
    return make_activity(make_workplan(cambodia, 2026), title="Cash-based transfers for nutrition")


# --- tokens ----------------------------------------------------------------------------


def test_obtain_use_and_revoke_a_token(focal):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "sophea", "password": "correct horse battery"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    # Stored hashed: the token itself is nowhere in the table.
    stored = AuthToken.objects.get(user=focal)
    assert token not in (stored.digest, stored.token_key) and len(stored.digest) == 128

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/teams/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/teams/").status_code == 401
    assert not AuthToken.objects.filter(user=focal).exists()


def test_wrong_credentials_answer_401(focal):
    response = APIClient().post("/api/v1/auth/token/", {"username": "sophea", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unable to sign in with these credentials."}
    assert response["WWW-Authenticate"].startswith("Token")
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"username": "sophea"}, "password", "This field is required."),
        ({"username": "x" * 500, "password": "p"}, "username", "Ensure this field has no more than 150 characters."),
    ],
)
def test_token_request_errors_name_the_problem(body, field, message, focal):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not AuthToken.objects.exists()


def test_a_bogus_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/agencies/").status_code == 401


def test_a_token_authenticates_in_one_query_with_its_user_loaded(focal):
    _token_row, token = AuthToken.objects.create(focal)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.get("/api/v1/agencies/")  # the lookup's statement is compiled on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/agencies/")
    assert response.status_code == 200
    token_queries = [q["sql"] for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
    assert len(token_queries) == 1 and "accounts_user" in token_queries[0]
    assert response.wsgi_request.user == focal and response.wsgi_request.user.language == focal.language


def test_a_token_stops_working_when_expired_revoked_or_its_user_deactivated(focal):
    _first_row, first = AuthToken.objects.create(focal)
    second_row, second = AuthToken.objects.create(focal)
    client = APIClient()

    def status(token):
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.get("/api/v1/agencies/").status_code

    assert (status(first), status(second)) == (200, 200)
    # The right key with a wrong secret: the digest decides.
    assert status(second[:15] + "0" * (len(second) - 15)) == 401
    AuthToken.objects.filter(pk=second_row.pk).update(expiry=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert status(second) == 401
    assert status(first) == 200
    focal.is_active = False
    focal.save()
    assert status(first) == 401


def test_secretariat_issues_and_revokes_tokens_in_the_admin(client, focal):
    staff = make_user("secretariat", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post("/admin/knox/authtoken/add/", {"user": focal.pk})
    # Shown once on its own page (more in tests/test_tokens.py).
    token = re.search(r'<code id="issued-token">([^<]+)</code>', response.content.decode()).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/agencies/").status_code == 200
    AuthToken.objects.filter(user=focal).delete()  # revoke, as the admin's delete action does
    assert api.get("/api/v1/agencies/").status_code == 401


def test_throttling_counts_each_token_separately(settings, focal):
    settings.API_THROTTLE_RATE = "3/minute"
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(focal)[1]}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(focal)[1]}")
    assert [first.get("/api/v1/agencies/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/agencies/").status_code == 200


@pytest.mark.parametrize("backend", ["redis", "memory"])
def test_a_throttled_token_is_told_when_to_come_back_and_its_state_is_one_number(backend, settings, focal):
    if backend == "memory":  # `make run`: no Redis, the process's memory
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.API_THROTTLE_RATE = "3/minute"
    row, token = AuthToken.objects.create(focal)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    responses = [client.get("/api/v1/agencies/") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert 0 < int(responses[-1]["Retry-After"]) <= 60
    assert "Request was throttled" in responses[-1].json()["detail"]
    # A counter, not the list of every request's time that DRF's throttle keeps and rewrites each time.
    assert cache.get(f"throttle-count_token_token:{row.token_key}") == 5


def test_sign_in_attempts_are_throttled_per_address(settings, focal):
    settings.API_SIGN_IN_THROTTLE_RATE = "2/minute"
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "sophea", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]


# --- conditional requests ----------------------------------------------------------------


def test_etag_and_304_on_reads(api, focal, activity):
    client = api(focal)
    url = f"/api/v1/activities/{activity.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    activity.title = "Changed elsewhere"
    activity.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_list_etag_changes_when_a_row_changes(api, focal, activity):
    client = api(focal)
    etag = client.get("/api/v1/activities/?country=KHM")["ETag"]
    assert client.get("/api/v1/activities/?country=KHM", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Every write goes through the services, which retire the cached answers (core.versions).
    services.update_activity(pk=activity.pk, user=focal, data={"status": "closed"})
    assert client.get("/api/v1/activities/?country=KHM", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_stale_if_match_is_refused_with_412_and_changes_nothing(api, focal, cambodia, activity):
    alice, bob = focal, make_user("focal_point", cambodia)
    url = f"/api/v1/activities/{activity.pk}/"
    etag = api(alice).get(url)["ETag"]
    # Bob saves first, with the ETag he read.
    saved = api(bob).patch(url, {"budget_spent": "10.00"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200
    # Alice's write carries the older ETag: refused, not silently overwriting Bob's.
    stale = api(alice).patch(url, {"title": "Alice's title"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    activity.refresh_from_db()
    assert (activity.title, str(activity.budget_spent)) == ("Cash-based transfers for nutrition", "10.00")
    # With the fresh ETag (returned by Bob's write and by a new read) it goes through.
    assert saved["ETag"] == api(alice).get(url)["ETag"]
    fresh = api(alice).patch(url, {"title": "Alice's title"}, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert fresh.status_code == 200


def test_if_match_guards_workflow_actions_too(api, cambodia):
    convener = make_user("convener", cambodia)
    plan = make_workplan(cambodia, 2026)
    url = f"/api/v1/workplans/{plan.pk}/"
    etag = api(convener).get(url)["ETag"]
    make_activity(plan)  # someone adds an activity meanwhile
    response = api(convener).post(f"{url}submit/", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    plan.refresh_from_db()
    assert plan.status == "draft"


# --- CSV rosters ---------------------------------------------------------------------------


def rows_of(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_roster_csv_with_filters(api, cambodia, chad, focal):
    make_user("focal_point", chad)
    response = api(focal).get("/api/v1/teams/?format=csv&country=KHM")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = dt.date.today().isoformat()
    assert f'filename="un-nutrition-rosters-khm-{today}.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert {r["country"] for r in rows} == {"KHM"}
    assert {r["agency"] for r in rows} == {"FAO", "UNICEF", "WFP", "WHO"}
    mine = next(r for r in rows if r["focal_point"] == focal.person.name)
    assert (mine["convener"], mine["email"], mine["region"]) == ("WFP", focal.person.email, "South-eastern Asia")
    # What the JSON carries: the convener's person and contacts (visible to the team), history, names, flags.
    team = api(focal).get(f"/api/v1/teams/{cambodia.pk}/").json()
    assert mine["convener_person"] == (team["convener"]["person"] or "")
    assert mine["convener_email"] == (team["convener"]["email"] or "")
    assert mine["convener_history"].startswith("convener ")
    assert mine["agency_name"] and mine["is_primary"] in ("yes", "no") and mine["contacts_visible"] == "yes"


def test_roster_csv_hides_other_teams_contacts(api, chad, focal):
    other = make_user("focal_point", chad)
    rows = rows_of(api(focal).get("/api/v1/teams/?format=csv&country=TCD"))
    theirs = next(r for r in rows if r["focal_point"] == other.person.name)
    assert theirs["email"] == "" and theirs["phone"] == ""


def test_roster_csv_by_agency_and_region(api, focal):
    generate_demo_data(countries=10, years=1, seed=4)
    rows = rows_of(api(focal).get("/api/v1/teams/?format=csv&agency=WFP&region=latin-america-and-the-caribbean"))
    teams = {r["team"] for r in rows}
    assert "Latin America and Caribbean regional nutrition group" in teams
    for team in teams:
        assert any(r["agency"] == "WFP" for r in rows if r["team"] == team)


# --- filters, search, ordering -----------------------------------------------------------


def test_filters_by_country_agency_year_status_and_area(api, focal, cambodia, chad):
    plan = make_workplan(cambodia, 2026)
    make_activity(plan, title="Led by WFP", status="implementation")
    make_activity(plan, title="Led by FAO", lead_agency=Agency.objects.get(acronym="FAO"))
    make_activity(make_workplan(chad, 2026), title="Chad activity")
    client = api(focal)

    def titles(query):
        response = client.get(f"/api/v1/activities/?{query}")
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles("country=KHM") == {"Led by WFP", "Led by FAO"}
    assert titles("country=KHM&country=TCD") == {"Led by WFP", "Led by FAO", "Chad activity"}
    assert titles("country=KHM&agency=FAO") == {"Led by FAO"}
    assert titles("status=implementation") == {"Led by WFP"}
    assert titles("year=2025") == set()
    assert titles("action_area=capacity&country=TCD") == {"Chad activity"}
    assert titles("region=asia") == {"Led by WFP", "Led by FAO"}
    assert titles("search=chad") == {"Chad activity"}
    ordered = client.get("/api/v1/activities/?country=KHM&ordering=-title").json()["results"]
    assert [r["title"] for r in ordered] == ["Led by WFP", "Led by FAO"]


def test_team_filters(api, focal, chad):
    client = api(focal)
    names = lambda q: {t["name"] for t in client.get(f"/api/v1/teams/?{q}").json()["results"]}  # noqa: E731
    provinces = "Provincial food security and nutrition working groups, Cambodia"  # run by the country team
    assert names("country=KHM") == {"UN Nutrition Cambodia", provinces}
    assert names("region=south-eastern-asia") == {"UN Nutrition Cambodia", provinces}
    assert names("kind=regional") == {"Latin America and Caribbean regional nutrition group"}
    assert names("kind=subnational") == {provinces}
    assert names("agency=PAHO") == {"Latin America and Caribbean regional nutrition group"}
    assert names("has_convener=false") == {chad.name, provinces}


def test_countries_with_region_and_sun_status(api, focal):
    client = api(focal)
    khm = client.get("/api/v1/countries/khm/").json()
    assert khm["region_path"] == ["Asia", "South-eastern Asia"]
    assert khm["sun"] == {"member": True, "joined_on": None, "government_focal_point": "H.E. Sok Silo"}
    assert khm["sun_regional_hub"] == "Bangkok"
    sun = client.get("/api/v1/countries/?sun_member=true&page_size=100").json()
    assert sun["count"] == 66  # the SUN Movement's member countries
    assert {"KHM", "TCD", "PER", "YEM"} <= {c["iso_alpha3"] for c in sun["results"]}
    yemen = client.get("/api/v1/countries/yem/").json()  # in the SUN Convergence Hub: no regional hub
    assert (yemen["sun"]["member"], yemen["sun_regional_hub"]) == (True, None)
    assert client.get("/api/v1/countries/nor/").json()["sun"]["member"] is False


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/api/v1/teams/?country=XXX", "country", "Select a valid choice. XXX is not one of the available choices."),
        ("/api/v1/activities/?agency=NOPE", "agency", "Select a valid choice. NOPE is not one of the available choices."),
        ("/api/v1/workplans/?region=atlantis", "region", "Unknown region. Regions: africa, "),
        ("/api/v1/workplans/?region=999", "region", "Unknown M49 region code 999. Codes: 002, 005, 009, "),
        ("/api/v1/workplans/?year=twenty", "year", "Enter a whole number."),
        ("/api/v1/workplans/?year=1999", "year", "Ensure this value is greater than or equal to 2000."),
        ("/api/v1/countries/?sun_member=maybe", "sun_member", "Enter true or false."),
        ("/api/v1/teams/?page_size=1000", "page_size", "Enter a whole number from 1 to 500."),
        ("/api/v1/teams/?page_size=abc", "page_size", "Enter a whole number from 1 to 500."),
        ("/api/v1/resources-mobilised/?year=0", "year", "Ensure this value is greater than or equal to 2000."),
        ("/api/v1/activities/?status=done", "status", "Select a valid choice. done is not one of the available choices."),
        ("/api/v1/dashboard/summary/?year=1800", "year", "Ensure this value is greater than or equal to 2000."),
    ],
)  # fmt: skip
def test_bad_filters_are_400_naming_the_parameter(url, field, message, api, focal):
    response = api(focal).get(url)
    assert response.status_code == 400
    [said] = response.json()[field]
    assert said.startswith(message)


# --- bad input on writes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "Nul\x00byte"}, "title", "Null characters are not allowed."),
        ({"title": "x" * 100_000}, "title", "Ensure this field has no more than 300 characters."),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"budget_required": "-5"}, "budget_required", "Ensure this value is greater than or equal to 0."),
        ({"budget_spent": "lots"}, "budget_spent", "A valid number is required."),
        ({"budget_spent": "1e400"}, "budget_spent", "Ensure that there are no more than 14 digits in total."),
        ({"start_date": "31/12/2026"}, "start_date", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        ({"lead_agency": "ACME"}, "lead_agency", "Agency ACME does not exist, or is not one you can use here."),
        ({"sdg_targets": ["2.2", "99.9"]}, "sdg_targets", "SDG target 99.9 does not exist, or is not one you can use here."),
        ({"currency": "XYZ"}, "currency", "XYZ is not an ISO 4217 currency code."),
        ({"status": "finished"}, "status", '"finished" is not a valid choice.'),
        ({"participating_agencies": "WHO"}, "participating_agencies", 'Expected a list of items but got type "str".'),
        ({"end_date": "2026-01-01"}, "non_field_errors", "The end date must be on or after the start date."),
        ({"is_national": False}, "subdivisions", "Name at least one province, or mark the activity as national."),
        ({"is_national": False, "subdivisions": ["TD-LC"]}, "subdivisions", "Not in this team's country: TD-LC."),
        ({"participating_agencies": ["WFP"]}, "participating_agencies", "The lead agency is not also listed as participating."),
    ],
)  # fmt: skip
def test_bad_activity_input_is_400_naming_the_field_and_changes_nothing(body, field, message, api, focal, activity):
    before = Activity.objects.filter(pk=activity.pk).values().get()
    response = api(focal).patch(f"/api/v1/activities/{activity.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()[field]
    assert Activity.objects.filter(pk=activity.pk).values().get() == before


def test_a_progress_change_validates_only_what_it_changes(api, focal, activity):
    client = api(focal)
    url = f"/api/v1/activities/{activity.pk}/"
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.patch(url, {"budget_spent": "5.00"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["budget_spent"] == "5.00"
    # Unchanged places, agencies, output and dates are not read again to be checked (45 statements before).
    assert len(queries) <= 28, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    # A rule naming a changed field is still checked whole, with its unchanged fields.
    response = client.patch(
        url,
        {"end_date": str(activity.start_date - dt.timedelta(days=1))},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["The end date must be on or after the start date."]


def test_malformed_json_is_400(api, focal, activity):
    response = api(focal).generic(
        "PATCH", f"/api/v1/activities/{activity.pk}/", '{"title": ', content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_duplicate_workplan_year_is_400(api, focal, cambodia):
    make_workplan(cambodia, 2027)
    response = api(focal).post("/api/v1/workplans/", {"team": cambodia.pk, "year": 2027}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["This team already has a workplan for this year."]


# --- a fixed number of queries per list, whatever the page size ------------------------------

LIST_URLS = [
    "/api/v1/agencies/",
    "/api/v1/countries/",
    "/api/v1/teams/",
    "/api/v1/workplans/",
    "/api/v1/activities/",
    "/api/v1/progress-updates/",
    "/api/v1/resources-mobilised/",
]


@pytest.fixture
def many_rows():
    generate_demo_data(countries=60, years=1, seed=11)


def queries_for(client, url):
    # What building the answer costs: not the versioned answer cache's copy (tests/api/test_answer_cache.py).
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()["results"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_queries_do_not_grow_with_rows(url, many_rows, django_assert_max_num_queries):
    # A token client: every request authenticates afresh, as a real client's does.
    user = make_user("focal_point", Team.objects.get(name="UN Nutrition Cambodia"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    one, rows_one = queries_for(client, f"{url}?page_size=1")
    fifty, rows_fifty = queries_for(client, f"{url}?page_size=50")
    assert len(rows_one) == 1
    assert len(rows_fifty) == min(50, client.get(url).json()["count"]) and len(rows_fifty) >= 17
    assert one == fifty, f"{url}: {one} queries for 1 row, {fifty} for 50"
    cache.clear()
    with django_assert_max_num_queries(16):
        client.get(f"{url}?page_size=50")


def test_workplan_detail_queries_do_not_grow_with_activities(api, cambodia, focal):
    plan = make_workplan(cambodia, 2026)
    client = api(focal)
    make_activity(plan)
    one, _ = queries_for_detail(client, plan)
    for _ in range(49):
        make_activity(plan)
    fifty, body = queries_for_detail(client, plan)
    assert len(body["activities"]) == 50
    assert one == fifty


def queries_for_detail(client, plan):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/workplans/{plan.pk}/")
    return len(captured), response.json()


def test_dashboard_summary_figures(api, cambodia, chad):
    generate_demo_data(countries=5, years=1, seed=9)
    plan = make_workplan(cambodia, 2026, status="submitted")
    make_activity(plan, budget_required=1000, budget_available=600, budget_spent=100)
    secretariat = make_user("secretariat")
    with CaptureQueriesContext(connection) as captured:
        body = api(secretariat).get("/api/v1/dashboard/summary/?year=2026").json()
    assert len(captured) <= 18  # the figures (at most 12), then three lists and their counts: fixed, whatever the data
    activities = Activity.objects.filter(workplan__year=2026)
    assert body["year"] == 2026
    assert body["teams"] == 8  # Cambodia, Latin America, Chad, 5 demo teams
    assert body["countries_with_active_team"] == 7
    running = ConvenerTerm.objects.filter(current_on(dt.date.today()), role="convener", team__is_active=True)
    assert body["teams_with_convener"] == running.values("team").distinct().count()
    assert 2 <= body["teams_with_convener"] <= 7  # Chad has none
    assert sum(body["workplans_by_status"].values()) == 6
    assert body["workplans_by_status"]["submitted"] >= 1
    assert body["teams_without_workplan"] == 2  # Latin America and Chad
    assert sum(r["count"] for r in body["activities_by_action_area_and_status"]) == activities.count()
    asia = next(r for r in body["budget_by_region"] if r["region"] == "Asia" and r["currency"] == "USD")
    assert float(asia["required"]) >= 1000
    total_required = sum(float(r["required"]) for r in body["budget_by_region"])
    assert total_required == pytest.approx(float(sum(a.budget_required for a in activities)))
    assert {"agency": "WFP", "country": "KHM", "activities": 1} in body["participation"]
    # The lists the dashboard page shows beside the figures, by the same rules.
    attention = body["needs_attention"]
    assert attention["teams_without_convener"]["count"] == body["teams"] - body["teams_with_convener"]
    assert "UN Nutrition Chad" in {row["name"] for row in attention["teams_without_convener"]["rows"]}
    assert attention["workplans_not_submitted"]["count"] >= body["teams_without_workplan"]
    assert set(attention["stale_activities"]) == {"count", "rows"}


def test_api_docs_are_served_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/teams/" in schema["paths"]


def test_a_change_without_if_match_answers_428_and_changes_nothing(api, focal, activity):
    response = api(focal).patch(f"/api/v1/activities/{activity.pk}/", {"title": "Blind"}, format="json", if_match=None)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    activity.refresh_from_db()
    assert activity.title != "Blind"
    # `*` is an explicit "overwrite whatever is saved".
    forced = api(focal).patch(f"/api/v1/activities/{activity.pk}/", {"title": "Forced"}, format="json", if_match="*")
    assert forced.status_code == 200


def test_weak_and_star_etags_give_304(api, focal, activity):
    client = api(focal)
    url = f"/api/v1/activities/{activity.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("ordering=bogus", "ordering"),
        ("colour=red", "colour"),
        ("year=abc", "year"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
    ],
)
def test_unknown_or_malformed_parameters_answer_400_naming_them(query, parameter, api, focal):
    response = api(focal).get(f"/api/v1/activities/?{query}")
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_unknown_parameters_elsewhere_answer_400_and_known_ones_work(api, focal):
    assert api(focal).get("/api/v1/teams/?has_convener=1").status_code == 200  # a filter of teams
    assert api(focal).get("/api/v1/countries/?has_convener=1").status_code == 400  # not one of countries
    assert api(focal).get("/api/v1/activities/1/?colour=red").status_code == 400
    assert api(focal).get("/api/v1/dashboard/summary/?colour=red").status_code == 400
    assert api(focal).get("/api/v1/dashboard/summary/?year=").status_code == 200  # empty = not given


def test_paged_lists_without_filters_skip_the_filter_set_and_lose_nothing(api, focal, cambodia, chad, activity):
    """`?page_size=` alone skips building the filter set (plain_list_skips_filters): the answer is the
    same list, a page size out of range or an unknown parameter beside it is still refused, and a filter
    beside it still filters."""
    make_activity(make_workplan(chad, 2026), title="Chad's activity")
    client = api(focal)
    everything = client.get("/api/v1/activities/?page_size=500").json()
    assert sorted(row["title"] for row in everything["results"]) == [
        "Cash-based transfers for nutrition",
        "Chad's activity",
    ]
    assert everything["results"] == client.get("/api/v1/activities/?ordering=").json()["results"]
    assert client.get("/api/v1/activities/?page_size=500&page=2").status_code == 404
    assert client.get("/api/v1/activities/?page_size=0").status_code == 400
    assert "colour" in client.get("/api/v1/activities/?page_size=5&colour=red").json()
    only = client.get("/api/v1/activities/?page_size=5&country=KHM").json()["results"]
    assert [row["title"] for row in only] == ["Cash-based transfers for nutrition"]
    teams = client.get("/api/v1/teams/?page_size=50").json()
    assert {row["country"] for row in teams["results"]} >= {"KHM", "TCD"}
    assert [row["country"] for row in client.get("/api/v1/teams/?page_size=50&country=TCD").json()["results"]] == [
        "TCD"
    ]


def test_search_is_documented_on_the_lists_that_search_and_only_there(api, focal):
    """The schema promised search= on every list; a list that does not search (contributions) answered
    it 400 as an unknown parameter."""
    schema = api(focal).get("/api/schema/", {"format": "json"}).json()

    def documents_search(path):
        return any(p["name"] == "search" for p in schema["paths"][path]["get"]["parameters"])

    assert documents_search("/api/v1/activities/")
    assert api(focal).get("/api/v1/activities/?search=chad").status_code == 200
    assert not documents_search("/api/v1/contributions/")
    response = api(focal).get("/api/v1/contributions/?search=chad")
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["search"][0]


def test_one_record_is_read_without_filters_yet_an_unknown_parameter_is_still_refused(api, focal, activity):
    client = api(focal)
    url = f"/api/v1/activities/{activity.pk}/"
    assert client.get(url).json()["id"] == activity.pk
    assert client.get(url + "?format=json").status_code == 200
    response = client.get(url + "?colour=red")
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["colour"][0]


def test_person_days_are_documented_as_not_negative_and_taken_so(api, focal, activity):
    """The schema allowed a minus sign in a contribution's person-days, which the API refuses (the model's
    minimum is 0): both say the same now."""
    schema = api(focal).get("/api/schema/", {"format": "json"}).json()
    pattern = schema["components"]["schemas"]["ContributionWriteRequest"]["properties"]["person_days"]["pattern"]
    assert re.fullmatch(pattern, "12.5") and re.fullmatch(pattern, "") and not re.fullmatch(pattern, "-1")
    body = {"activity": activity.pk, "agency": "WFP", "kind": "staff_time", "amount": "0", "funder": "joint-sdg-fund"}
    refused = api(focal).post("/api/v1/contributions/", {**body, "person_days": "-1"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["person_days"]
    taken = api(focal).post("/api/v1/contributions/", {**body, "person_days": "12.5"}, format="json")
    assert taken.status_code == 201, taken.content
    assert taken.json()["person_days"] == "12.5"


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/roster-files/1%0A2/template/", "/api/v1/workplan-files/%0A/iati/"]
)
def test_an_unknown_api_address_answers_404_in_json_even_with_a_line_break(path, api, focal):
    """Any address under /api/ that is not an endpoint answers JSON, as the API does; one with a line break
    (%0A) in it got the portal's HTML page (the catch-all's `.` stopped at the break)."""
    response = api(focal).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert api(focal).get("/api/v1/").status_code == 200  # the catch-all can be reversed: the root lists the API


def test_a_page_past_the_last_says_how_many_there_are(api, focal, activity):
    response = api(focal).get("/api/v1/activities/?page=99")
    assert response.status_code == 404
    assert "the last page is 1" in response.json()["detail"]


def test_errors_speak_the_callers_language(api, focal):
    response = api(focal).get("/api/v1/activities/?page_size=0", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["page_size"] != ["Enter a whole number from 1 to 500."]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"currency": "usd"}, "currency"),  # would split totals from USD
        ({"start_date": "1990-01-01"}, "start_date"),
        ({"end_date": "2099-12-31"}, "end_date"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_implausible_values_are_400_and_change_nothing(body, field, api, focal, activity):
    before = Activity.objects.filter(pk=activity.pk).values().get()
    response = api(focal).patch(f"/api/v1/activities/{activity.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Activity.objects.filter(pk=activity.pk).values().get() == before


def test_the_api_root_lists_every_endpoint_and_each_answers(api, focal):
    client = api(focal)
    response = client.get("/api/v1/")
    assert response.status_code == 200
    listed = response.json()
    assert {"teams", "workplans", "activities", "dashboard-summary", "reports", "schema"} <= set(listed)
    for name, url in listed.items():
        if name != "auth-token":
            assert client.get(url).status_code == 200, name


def test_regions_list_their_codes_names_in_six_languages_and_parent(api, focal):
    client = api(focal)
    regions = {row["code"]: row for row in client.get("/api/v1/regions/?page_size=500").json()["results"]}
    asia = regions["south-eastern-asia"]
    assert asia["parent"] == "asia" and asia["level"] == 3
    assert set(asia["names"]) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
    assert asia["names"]["en"] == "South-eastern Asia" and asia["names"]["fr"] != asia["names"]["en"]
    # The codes are what region= takes; an unknown one says which exist.
    assert client.get("/api/v1/teams/?region=south-eastern-asia").status_code == 200
    refused = client.get("/api/v1/teams/?region=mars")
    assert refused.status_code == 400
    assert "africa" in refused.json()["region"][0] and "south-eastern-asia" in refused.json()["region"][0]
    # Each region shows its UN M49 code, which region= takes as well as the code.
    assert (asia["m49_code"], regions["asia"]["m49_code"], regions["antarctica"]["m49_code"]) == ("035", "142", None)
    assert regions["sub-saharan-africa"] == {**regions["sub-saharan-africa"], "m49_code": "202", "parent": "africa"}


def isos(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["iso_alpha3"] for row in response.json()["results"]]


def test_region_filters_take_un_m49_codes(api, focal):
    client = api(focal)
    africa = isos(client.get("/api/v1/countries/?region=africa&page_size=500"))
    assert "EGY" in africa and "KEN" in africa
    assert isos(client.get("/api/v1/countries/?region=002&page_size=500")) == africa
    assert isos(client.get("/api/v1/countries/?region=2&page_size=500")) == africa  # 2 reads as 002
    sub_saharan = isos(client.get("/api/v1/countries/?region=202&page_size=500"))
    assert "KEN" in sub_saharan and "EGY" not in sub_saharan
    assert sub_saharan == isos(client.get("/api/v1/countries/?region=sub-saharan-africa&page_size=500"))
    # Teams too: Cambodia's is in Asia (142) and South-eastern Asia (035), not in Africa.
    in_asia = [row["name"] for row in client.get("/api/v1/teams/?region=142").json()["results"]]
    assert "UN Nutrition Cambodia" in in_asia
    assert in_asia == [row["name"] for row in client.get("/api/v1/teams/?region=asia").json()["results"]]
    assert "UN Nutrition Cambodia" not in [
        row["name"] for row in client.get("/api/v1/teams/?region=002").json()["results"]
    ]
