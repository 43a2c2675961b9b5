"""Outages of Redis and PostgreSQL, with the real servers stopped under real requests.

- Redis (cache and broker) stopped: sign-in (token and portal), API reads and writes and the
  portal's pages keep answering; throttles fall back to each process's memory (still limiting)
  and say so in the log; reports requested meanwhile are saved, say they wait for the job queue,
  and are built by a real Celery worker once Redis is back, with no user action and one file each.
  Of several dispatchers handing the waiting runs over at once, each run is published once.
- PostgreSQL: gunicorn serving while the test terminates its connections under load, and while a
  private cluster is stopped and started again: requests answer 503 at once (the portal's page in
  the reader's language, JSON for the API), nothing hangs, nothing is half-written, and gunicorn
  serves again without being restarted.

They need PostgreSQL (DATABASE_URL) and, for the worker, the redis-server program; without them
they skip, except in CI (CI=true) where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import redis
import requests
from django.conf import global_settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from knox.models import AuthToken
from rest_framework.test import APIClient
from simple_history.utils import get_history_model_for_model

import core.cache
from reports import services as report_services
from reports.models import ReportRun
from unnutrition.beat import RetryingScheduler
from unnutrition.celery import app as celery_app
from unnutrition.reference_data.services import load_reference_data
from workplans.models import Activity

from .conftest import IN_CI
from .factories import make_activity, make_team, make_user, make_workplan
from .outages import Gunicorn, PrivatePostgres, PrivateRedis, wait_for
from .reports.conftest import YEAR, make_coordination
from .reports.test_worker import Worker, files_in_run_folder, follow, use_broker

pytestmark = pytest.mark.services
PASSWORD = "a-long-test-password"


def needs_postgresql():
    if connection.vendor != "postgresql":
        message = "The outage tests need PostgreSQL (DATABASE_URL=postgres://...)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, private_redis):
    """The deployment's cache: core.cache.FallbackCache on the private Redis (trying it again every 0.5 s)."""
    core.cache._health.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "LOCATION": private_redis.url(0),
            "OPTIONS": {
                "PRIMARY_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
                "RETRY_AFTER": 0.5,
            },
        }
    }
    yield private_redis
    core.cache._health.clear()


@pytest.fixture
def committed_reference_data(django_db_setup, django_db_blocker):
    """Transactional tests empty the database when they end: reference data before and after."""
    with django_db_blocker.unblock():
        load_reference_data()
    yield
    with django_db_blocker.unblock():
        load_reference_data()


def app_database_url(application_name: str = "") -> str:
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    query = f"?application_name={application_name}" if application_name else ""
    return f"postgres://{user}{password}@{host}/{database['NAME']}{query}"


# --- Redis down: sign-in, reads, writes, pages ---------------------------------------------------


def test_sign_in_reads_writes_and_pages_while_redis_is_down(
    committed_reference_data, transactional_db, redis_cache, settings, client, caplog
):
    needs_postgresql()
    settings.API_SIGN_IN_THROTTLE_RATE = "4/minute"
    team = make_team("TCD")
    make_user("focal_point", team, username="chad-fp", password=PASSWORD)
    plan = make_workplan(team, 2026)
    activity = make_activity(plan, title="Micronutrient survey")
    api = APIClient()

    def sign_in():
        return api.post("/api/v1/auth/token/", {"username": "chad-fp", "password": PASSWORD}, format="json")

    assert sign_in().status_code == 200
    keys = redis.Redis.from_url(redis_cache.url(0)).keys("*")
    assert any(b"throttle-count_sign-in" in key for key in keys), keys  # the counters live in Redis while it is up

    redis_cache.stop()
    caplog.set_level(logging.WARNING, logger="core.cache")
    started = time.monotonic()
    answer = sign_in()
    assert answer.status_code == 200, answer.content  # was a 500: the throttle's cache is in Redis
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    statuses = {}
    for url in ("/api/v1/", "/api/v1/teams/", f"/api/v1/workplans/{plan.pk}/", "/api/v1/activities/?year=2026"):
        statuses[url] = api.get(url).status_code
    read = api.get(f"/api/v1/activities/{activity.pk}/")
    changed = api.patch(
        f"/api/v1/activities/{activity.pk}/", {"title": "Micronutrient survey, round 2"}, HTTP_IF_MATCH=read["ETag"]
    )
    statuses["PATCH activity"] = changed.status_code
    signed_in = client.post("/accounts/login/", {"username": "chad-fp", "password": PASSWORD})
    statuses["portal sign-in"] = signed_in.status_code
    for url in ("/dashboard/", "/teams/", f"/teams/{team.pk}/", "/countries/", "/reports/", f"/workplans/{plan.pk}/"):
        statuses[url] = client.get(url).status_code
    assert statuses == dict.fromkeys(statuses, 200) | {"portal sign-in": 302}, statuses
    assert Activity.objects.get(pk=activity.pk).title == "Micronutrient survey, round 2"
    # One wait for the socket timeout at most, not one per request.
    assert time.monotonic() - started < 10
    assert "is not answering" in caplog.text and "uses its local memory instead" in caplog.text

    # Degraded, not open: this process still counts sign-ins (4 a minute here), in its own memory.
    answers = [sign_in().status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429], answers

    redis_cache.start()  # back, empty (no persistence)
    time.sleep(0.6)  # RETRY_AFTER
    assert api.get("/api/v1/teams/").status_code == 200
    assert "answers again after" in caplog.text
    assert sign_in().status_code == 200
    keys = redis.Redis.from_url(redis_cache.url(0)).keys("*")
    assert any(b"throttle-count_sign-in" in key for key in keys), keys  # counting in Redis again


def test_a_hung_redis_costs_one_timeout_and_nothing_changed_meanwhile_is_answered_stale(redis_cache, caplog):
    """Redis stops answering (SIGSTOP) without closing connections: one call waits for the socket
    timeout, the next ones use local memory at once; on its return what was written meanwhile is
    cleared from Redis, so the value it replaced is never answered."""
    from django.core.cache import cache

    caplog.set_level(logging.WARNING, logger="core.cache")
    cache.set("greeting", "before")
    cache.set("versioned", "before", version=2)
    redis_cache.pause()
    try:
        started = time.monotonic()
        assert cache.get("anything") is None  # waits for the 0.5 s socket timeout, then falls back
        assert cache.degraded
        cache.set("greeting", "during")
        cache.set("versioned", "during", version=2)
        assert (cache.get("greeting"), cache.get("versioned", version=2)) == ("during", "during")
        assert time.monotonic() - started < 1.5, "one timeout, not one per call"
    finally:
        redis_cache.resume()
    time.sleep(0.6)  # RETRY_AFTER
    assert cache.get("anything") is None  # this call tries Redis again, finds it, and cleans up
    assert not cache.degraded
    assert "answers again after" in caplog.text and "2 keys written meanwhile were cleared" in caplog.text
    assert cache.get("greeting") is None and cache.get("versioned", version=2) is None  # never "before"
    cache.set("greeting", "after")
    assert redis.Redis.from_url(redis_cache.url(0)).exists(cache.make_key("greeting"))


# --- Redis down: reports wait, then run with no user action, once ---------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def broker(private_redis):
    """This process publishes to the private Redis, as a web process with REDIS_URL does."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    use_broker(private_redis.url(0), eager=False)
    yield private_redis
    use_broker(*saved)


def start_worker(broker, media, tmp_path) -> Worker:
    """A real Celery worker on the private Redis and the test database, building reports at once."""
    env = os.environ.copy() | {
        "DATABASE_URL": app_database_url(),
        "REDIS_URL": broker.url(0),
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "REPORTS_TEST_DELAY": "0",
    }
    return Worker(env, tmp_path / "worker.log")


def test_reports_requested_while_redis_is_down_are_built_once_it_is_back(
    committed_reference_data, transactional_db, media, broker, tmp_path, client
):
    needs_postgresql()
    data = make_coordination()
    worker = start_worker(broker, media, tmp_path)
    try:
        api = APIClient()
        api.force_authenticate(data.secretariat)
        broker.stop()

        urls = []
        for body in ({"kind": "global", "format": "xlsx"}, {"kind": "data_quality", "format": "csv"}):
            started = time.monotonic()
            response = api.post("/api/v1/reports/", {"year": YEAR} | body, format="json")
            assert response.status_code == 202, response.content
            assert time.monotonic() - started < 5, "the request does not wait for the broker"
            urls.append(response["Location"])
        runs = [api.get(url).json() for url in urls]
        for run in runs:
            assert (run["status"], run["waiting_for_queue"]) == ("queued", True), run
            assert run["status_message"].startswith("Waiting for the job queue"), run
        page = client_page(client, data.secretariat, runs[0]["id"])
        assert "Waiting for the job queue." in page and "<progress" not in page
        assert ReportRun.objects.filter(dispatched_at__isnull=True, queue_down_since__isnull=False).count() == 2

        broker.start()  # Redis is back, empty; nobody does anything
        finished = follow(api, *urls, timeout=120, worker=worker)
        for run, _seen in finished:
            assert run["status"] == "done", (run, worker.output())
            stored = ReportRun.objects.get(pk=run["id"])
            assert stored.attempts == 1 and stored.dispatched_at and stored.queue_down_since is None
            assert files_in_run_folder(stored.pk, media) == [Path(stored.file.name).name]
        assert "Handed to the job queue: 2 report runs" in worker.output()
        assert "Waiting for the job queue" not in client_page(client, data.secretariat, runs[0]["id"])
    finally:
        worker.kill()


def test_a_run_the_worker_could_not_hand_over_as_it_connected_is_tried_again_without_beat(
    committed_reference_data, transactional_db, media, broker, tmp_path
):
    """As the worker connects, a waiting run is held by a web process whose own hand-over fails (its
    row is locked, and the lock is let go with nothing recorded). The worker tries again a few
    seconds later on its own: no beat runs here, and before, the run waited for it forever."""
    needs_postgresql()
    data = make_coordination()
    run = ReportRun.objects.create(
        kind="data_quality", format="csv", year=YEAR, requested_by=data.secretariat,
        dedupe_key="held-by-a-web-process", queue_down_since=timezone.now(),
    )  # fmt: skip
    locked, release = threading.Event(), threading.Event()

    def web_process_holding_the_run():
        try:
            with transaction.atomic():
                ReportRun.objects.select_for_update().get(pk=run.pk)
                locked.set()
                release.wait(60)
                transaction.set_rollback(True)  # its publish failed: nothing is recorded
        finally:
            connections.close_all()

    holder = threading.Thread(target=web_process_holding_the_run)
    holder.start()
    assert locked.wait(10)
    try:
        worker = start_worker(broker, media, tmp_path)  # ready: it has connected, and its hand-over found the run held
        run.refresh_from_db()
        assert run.dispatched_at is None
    finally:
        release.set()
        holder.join(30)
    try:
        api = APIClient()
        api.force_authenticate(data.secretariat)
        finished, _seen = follow(api, f"/api/v1/reports/{run.pk}/", timeout=60, worker=worker)
        assert finished["status"] == "done", worker.output()
        run.refresh_from_db()
        assert run.attempts == 1 and run.queue_down_since is None
        assert "Handed to the job queue: 1 report runs" in worker.output()
    finally:
        worker.kill()


def test_a_report_queued_before_redis_restarted_empty_is_still_built_once(
    committed_reference_data, transactional_db, media, broker, tmp_path
):
    """Redis keeps nothing on disk here: a restart loses the queued message. The run is not lost: the
    worker connecting to the new Redis hands over again what is still queued, and it is built once."""
    needs_postgresql()
    data = make_coordination()
    api = APIClient()
    api.force_authenticate(data.secretariat)
    response = api.post("/api/v1/reports/", {"year": YEAR, "kind": "data_quality", "format": "csv"}, format="json")
    assert response.status_code == 202, response.content
    url = response["Location"]
    run = ReportRun.objects.get(pk=api.get(url).json()["id"])
    assert run.status == "queued" and run.dispatched_at is not None  # handed to the broker, no worker yet
    assert redis.Redis.from_url(broker.url(0)).llen("celery") == 1

    broker.stop()
    broker.start()  # empty: the message is gone
    assert redis.Redis.from_url(broker.url(0)).llen("celery") == 0

    worker = start_worker(broker, media, tmp_path)
    try:
        finished, _seen = follow(api, url, timeout=120, worker=worker)
        assert finished["status"] == "done", (finished, worker.output())
        stored = ReportRun.objects.get(pk=finished["id"])
        assert stored.attempts == 1
        assert files_in_run_folder(stored.pk, media) == [Path(stored.file.name).name]
    finally:
        worker.kill()


def client_page(client, user, run_id: int) -> str:
    client.force_login(user)
    response = client.get(f"/reports/{run_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_waiting_runs_are_handed_over_once_by_concurrent_dispatchers(
    committed_reference_data, transactional_db, broker
):
    """A web process, beat's dispatcher and a worker that just connected may all dispatch at once:
    each waiting run is published exactly once, under its recorded task id, and each waiting
    scheduled report's e-mail once."""
    needs_postgresql()
    secretariat = make_user("secretariat")
    runs = [
        ReportRun.objects.create(
            kind="global", format="pdf", year=2000 + n, requested_by=secretariat, dedupe_key=f"outage-{n}"
        )
        for n in range(30)
    ]
    # Scheduled reports built while the broker was down: their e-mails wait too.
    finished = [
        ReportRun.objects.create(
            kind="data_quality", format="xlsx", year=2000 + n, dedupe_key=f"outage-mail-{n}", email_secretariat=True,
            status="done", file=f"reports/{n}/alerts.xlsx", finished_at=timezone.now(),
        )
        for n in range(5)
    ]  # fmt: skip
    barrier = threading.Barrier(4)
    handed: list[dict] = []

    def dispatcher():
        try:
            barrier.wait()
            handed.append(report_services.dispatch_waiting())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(counts["runs"] for counts in handed) == len(runs)
    assert sum(counts["emails"] for counts in handed) == len(finished)
    queue = redis.Redis.from_url(broker.url(0))
    messages = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    builds = Counter(m["headers"]["id"] for m in messages if m["headers"]["task"] == "reports.tasks.build_report")
    recorded = dict(ReportRun.objects.filter(pk__in=[run.pk for run in runs]).values_list("task_id", "pk"))
    assert set(builds) == set(recorded) and set(builds.values()) == {1}
    mails = Counter(m["headers"]["argsrepr"] for m in messages if m["headers"]["task"] == "reports.tasks.email_report")
    assert mails == Counter(f"({run.pk},)" for run in finished)
    assert not ReportRun.objects.filter(pk__in=[run.pk for run in finished], email_dispatched_at__isnull=True).exists()
    assert report_services.dispatch_waiting() == {"runs": 0, "emails": 0, "refused": 0}
    assert queue.llen("celery") == len(runs) + len(finished)


def test_beat_sends_a_scheduled_task_the_broker_refused_once_it_is_back(broker, tmp_path, caplog):
    """Celery's own beat would lose that occurrence (the monthly overview would wait a month)."""
    caplog.set_level(logging.INFO, logger="unnutrition.beat")
    saved = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {
        "housekeeping-soon": {"task": "reports.tasks.housekeeping", "schedule": dt.timedelta(seconds=3)}
    }
    try:
        scheduler = RetryingScheduler(app=celery_app, schedule_filename=str(tmp_path / "beat-schedule"))
        queue = redis.Redis.from_url(broker.url(0))
        assert scheduler.producer is not None  # connected while Redis is up, as a running beat is
        broker.stop()
        time.sleep(3.2)
        assert scheduler.tick() <= RetryingScheduler.RETRY_EVERY  # due; refused; kept
        assert "housekeeping-soon could not be sent" in caplog.text
        broker.start()  # back, empty
        scheduler.tick()
        sent = [json.loads(raw)["headers"]["task"] for raw in queue.lrange("celery", 0, -1)]
        assert sent == ["reports.tasks.housekeeping"]
        assert "housekeeping-soon was sent after all" in caplog.text
        scheduler.tick()
        assert queue.llen("celery") == 1  # sent once, not again
        scheduler.close()
    finally:
        celery_app.conf.beat_schedule = saved


# --- PostgreSQL: connections terminated under load ----------------------------------------------


@pytest.fixture
def deployed_hashing(settings):
    """Passwords that gunicorn (the deployment's hashers, not the tests' fast one) can check."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def api_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


def portal_session(base: str, username: str, language: str = "en") -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = language
    session.get(f"{base}/accounts/login/", timeout=10)
    answer = session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[answer.text.find("error-summary-title") :][:1500]
    return session


def test_terminated_connections_under_load_answer_503_and_recover(
    committed_reference_data, transactional_db, deployed_hashing, tmp_path
):
    needs_postgresql()
    secretariat = make_user("secretariat", username="rome", password=PASSWORD)
    plan = make_workplan(make_team("TCD"), 2026)
    _instance, token = AuthToken.objects.create(secretariat)
    application = f"unn-outage-{uuid.uuid4().hex[:8]}"
    web = Gunicorn(tmp_path / "gunicorn.log", workers=3, DATABASE_URL=app_database_url(application))
    killer = psycopg2.connect(app_database_url().split("?")[0])
    killer.autocommit = True
    try:
        booted = web.workers_booted()
        api = api_session(token)
        portal = portal_session(web.url, "rome")
        results: list[tuple[str, int, float, str]] = []
        stop_at = time.monotonic() + 10

        def load(kind: str, call):
            session = requests.Session()
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                started = time.monotonic()
                title = f"Outage {kind} {n} {uuid.uuid4().hex[:6]}"
                try:
                    status = call(title).status_code
                except requests.RequestException as exc:
                    status = f"{exc.__class__.__name__}"
                results.append((kind, status, time.monotonic() - started, title))
            session.close()

        body = {
            "workplan": plan.pk, "action_area": "evidence", "lead_agency": "UNICEF", "start_date": "2026-03-01",
            "end_date": "2026-09-30", "currency": "USD", "budget_required": "1000.00", "status": "pipeline",
        }  # fmt: skip
        calls = {
            "api-list": lambda _t: api.get(f"{web.url}/api/v1/teams/", timeout=20),
            "api-write": lambda title: api.post(
                f"{web.url}/api/v1/activities/", json=body | {"title": title}, timeout=20
            ),
            "portal": lambda _t: portal.get(f"{web.url}/teams/", timeout=20),
            "sign-in": lambda _t: requests.post(
                f"{web.url}/api/v1/auth/token/", json={"username": "rome", "password": PASSWORD}, timeout=20
            ),
        }
        threads = [threading.Thread(target=load, args=(kind, call)) for kind, call in calls.items()]
        for thread in threads:
            thread.start()
        terminated = 0
        with killer.cursor() as cursor:
            while time.monotonic() < stop_at - 1:
                time.sleep(1.0)
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                    [application],
                )
                terminated += cursor.fetchone()[0]
        for thread in threads:
            thread.join(30)

        statuses = Counter((kind, status) for kind, status, _elapsed, _title in results)
        assert terminated >= 5, "the test cut the app's connections"
        allowed = {200, 201, 503}
        assert {status for _kind, status in statuses} <= allowed, statuses
        assert max(elapsed for _kind, _status, elapsed, _title in results) < 10, "no request hangs"
        # Served between the cuts (a sign-in, slow by design, may overlap a cut every time).
        for kind in ("api-list", "api-write", "portal"):
            assert statuses[(kind, 201 if kind == "api-write" else 200)] > 0, statuses
        # Recovery without restarting anything: the next requests are served, by the same workers.
        assert api.get(f"{web.url}/api/v1/teams/", timeout=10).status_code == 200
        assert portal.get(f"{web.url}/teams/", timeout=10).status_code == 200
        assert calls["sign-in"]("").status_code == 200
        assert web.workers_booted() == booted, web.output()[-3000:]

        # Nothing half-written: each activity the API created exists once, with its history row;
        # a write answered 503 left nothing, or (cut after its commit) all of it.
        written = {title: status for kind, status, _elapsed, title in results if kind == "api-write"}
        stored = Counter(Activity.objects.filter(title__in=written).values_list("title", flat=True))
        history = get_history_model_for_model(Activity)
        histories = Counter(history.objects.filter(title__in=written, history_type="+").values_list("title", flat=True))
        assert stored == histories
        assert all(stored[title] == 1 for title, status in written.items() if status == 201)
        assert set(stored.values()) <= {1}
        print(f"\n{sum(statuses.values())} requests, {terminated} connections terminated: {dict(statuses)}")
    finally:
        killer.close()
        web.stop()


# --- PostgreSQL restarted -----------------------------------------------------------------------


def test_a_postgresql_restart_answers_503_at_once_and_recovers_without_restarts(
    committed_reference_data, transactional_db, deployed_hashing, tmp_path
):
    needs_postgresql()
    make_user("secretariat", username="rome", password=PASSWORD)
    _instance, token = AuthToken.objects.create(make_user("viewer"))
    cluster = PrivatePostgres()
    web = None
    try:
        cluster.start()
        database = cluster.copy_database(app_database_url(), "unn_outage")
        web = Gunicorn(tmp_path / "gunicorn.log", workers=2, DATABASE_URL=database)
        booted = web.workers_booted()
        api = api_session(token)
        portal = portal_session(web.url, "rome", language="fr")
        assert api.get(f"{web.url}/api/v1/teams/", timeout=10).status_code == 200
        assert portal.get(f"{web.url}/dashboard/", timeout=10).status_code == 200

        cluster.stop()
        timings = {}
        started = time.monotonic()
        answer = api.get(f"{web.url}/api/v1/teams/", timeout=20)
        timings["api"] = time.monotonic() - started
        assert answer.status_code == 503, answer.text[:500]
        assert answer.json()["code"] == "database_unavailable" and answer.headers["Retry-After"] == "5"
        started = time.monotonic()
        page = portal.get(f"{web.url}/teams/", timeout=20)
        timings["portal"] = time.monotonic() - started
        assert page.status_code == 503
        with translation.override("fr"):
            heading = gettext("The portal is briefly unavailable")
        assert '<html lang="fr"' in page.text and f"<h1>{heading}</h1>" in page.text
        started = time.monotonic()
        signing_in = requests.post(
            f"{web.url}/api/v1/auth/token/", json={"username": "rome", "password": PASSWORD}, timeout=20
        )
        timings["sign-in"] = time.monotonic() - started
        assert signing_in.status_code == 503
        health = requests.get(f"{web.url}/healthz", timeout=20)
        assert (health.status_code, health.json()["status"]) == (503, "error")
        assert max(timings.values()) < 5, timings

        cluster.start()
        back = time.monotonic()
        wait_for(lambda: api.get(f"{web.url}/api/v1/teams/", timeout=10).status_code == 200, 30, "served again", 0.2)
        recovery = time.monotonic() - back
        assert portal.get(f"{web.url}/dashboard/", timeout=10).status_code == 200  # the same session
        assert requests.get(f"{web.url}/healthz?allow=degraded", timeout=10).status_code == 200
        assert web.workers_booted() == booted, "gunicorn's workers were not restarted"
        print(f"\n503 answered in {timings}; served again {recovery:.2f} s after PostgreSQL was back")
    finally:
        if web:
            web.stop()
        cluster.destroy()
