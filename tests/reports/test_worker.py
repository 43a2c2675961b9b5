"""Reports built by a real Celery worker process, through the real Redis broker, on the
real PostgreSQL test database: not eager mode.

Each test starts `celery -A unnutrition worker` as a subprocess pointed at the test
database (which pytest-django created) and at a Redis database of its own, requests
reports through the API, follows their progress to the end and opens the files. One
test kills the worker (SIGKILL, the whole process group) half-way through a job and
starts another: the job must finish once, with one file.

They need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): without them they are
skipped, except in CI (CI=true), where a missing service fails them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import redis
from django.db import connection
from rest_framework.test import APIClient

from countries.models import Country
from reports.models import ReportRun
from unnutrition.celery import app as celery_app
from unnutrition.reference_data.services import load_reference_data

from ..conftest import IN_CI, service_or_skip
from .conftest import YEAR, make_coordination
from .files import csv_sections, pdf_text, sheet, xlsx_sheets

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]
# The tests' broker: a Redis database of its own, so that no other worker (a
# developer's, on database 0) picks up the tests' jobs, and none of theirs ends up here.
BROKER_DB = int(os.environ.get("REPORTS_TEST_REDIS_DB", "14"))
VISIBILITY_TIMEOUT = 10


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        message = f"{name} is not set: the real-worker tests need PostgreSQL and Redis"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return value


@pytest.fixture
def reference_data(django_db_setup, django_db_blocker):
    """These tests commit, and every transactional test empties the database when it
    ends: load the reference data first (an earlier one may have emptied it), and again
    after this test's own emptying, for whichever test comes next."""
    with django_db_blocker.unblock():
        load_reference_data()
    yield
    with django_db_blocker.unblock():
        load_reference_data()


class Worker:
    """One `celery worker` process (and its pool children), in a process group of its own."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "unnutrition", "worker",
                "--loglevel=INFO", "--concurrency=1", "--without-gossip", "--without-mingle",
                "--hostname", f"reports-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.wait_until_ready()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                pytest.fail(f"The worker stopped while starting:\n{self.output()}")
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"The worker was not ready after {timeout} s:\n{self.output()}")

    def kill(self):
        """What a crash or an OOM kill does: no warm shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def workers(reference_data, transactional_db, settings, media_root, tmp_path):
    """start(**env) -> a running Worker; every worker is killed at the end of the test."""
    database = connection.settings_dict
    if connection.vendor != "postgresql":  # whichever PostgreSQL backend (core.db.postgresql)
        required("DATABASE_URL")  # skips (or fails in CI) when unset
        pytest.skip("The real-worker tests need PostgreSQL (DATABASE_URL=postgres://...)")
    service_or_skip(f"postgres://{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}", "PostgreSQL")
    redis_url = service_or_skip(required("REDIS_URL"), "Redis")
    parsed = urlparse(redis_url)
    broker = f"{parsed.scheme}://{parsed.netloc}/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()  # leftovers of an earlier, interrupted run

    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    base_env = os.environ.copy() | {
        "DATABASE_URL": f"postgres://{user}{password}@{host}/{database['NAME']}",
        "REDIS_URL": broker,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "REPORTS_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "REPORTS_TEST_DELAY": "0.2",
    }

    # This process publishes the jobs (the API's request commits, then queues): to the same broker.
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    use_broker(broker, eager=False)
    started: list[Worker] = []

    def start(**env) -> Worker:
        worker = Worker(
            base_env | {key: str(value) for key, value in env.items()}, tmp_path / f"worker{len(started)}.log"
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()
    use_broker(*saved)
    redis.Redis.from_url(broker).flushdb()


def use_broker(url: str, eager: bool):
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    # Celery keeps its connection pools for the broker it first connected to.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def follow(client: APIClient, *urls: str, timeout: float = 90, worker: Worker | None = None):
    """Poll runs until each is done or failed; returns each run and every (status, progress, error) seen.
    `worker`: its log is printed when the runs do not finish (what it did is the first thing one asks)."""
    seen: dict[str, list[tuple[str, int, str]]] = {url: [] for url in urls}
    last: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for url in urls:
            if url in last and last[url]["status"] in ("done", "failed"):
                continue
            run = client.get(url).json()
            state = (run["status"], run["progress"], run["error"])
            if not seen[url] or seen[url][-1] != state:
                seen[url].append(state)
            last[url] = run
        if all(run["status"] in ("done", "failed") for run in last.values()):
            if len(urls) == 1:
                return last[urls[0]], seen[urls[0]]
            return [(last[url], seen[url]) for url in urls]
        time.sleep(0.1)
    log = f"\nworker log:\n{worker.output()}" if worker else ""
    pytest.fail(f"{urls} did not finish in {timeout} s; seen: {seen}{log}")


def request(client: APIClient, **body) -> str:
    response = client.post("/api/v1/reports/", {"year": YEAR} | body, format="json")
    assert response.status_code == 202, response.content
    return response["Location"]


def files_in_run_folder(run_id: int, media_root: Path) -> list[str]:
    return sorted(path.name for path in (media_root / "reports" / str(run_id)).iterdir())


def test_every_report_kind_through_a_real_worker(workers, media_root):
    data = make_coordination()
    worker = workers()
    secretariat = client_for(data.secretariat)
    region = Country.objects.get(iso_alpha3="KHM").region
    urls = {
        "global": request(secretariat, kind="global", format="pdf"),
        "regional": request(secretariat, kind="regional", format="xlsx", region=region.slug),
        "country": request(client_for(data.focal_point), kind="country", format="csv", team=data.cambodia.pk),
        "data_quality": request(secretariat, kind="data_quality", format="xlsx"),
    }
    runs = dict(zip(urls, follow(secretariat, *urls.values()), strict=True))
    for run, seen in runs.values():
        assert run["status"] == "done", (run, worker.output())
        progress = [value for _status, value, _error in seen]
        assert progress == sorted(progress) and progress[-1] == 100
    # Progress was followed: the last job (queued behind the others) was seen
    # waiting, then running part-way, then done.
    statuses = [status for status, _value, _error in runs["data_quality"][1]]
    assert statuses[0] == "queued" and "running" in statuses and statuses[-1] == "done"
    assert any(0 < value < 100 for _status, value, _error in runs["data_quality"][1])

    for run, _seen in runs.values():
        stored = ReportRun.objects.get(pk=run["id"])
        assert (stored.attempts, stored.file_size) == (1, Path(stored.file.path).stat().st_size)
        assert stored.task_id and f"reports.tasks.build_report[{stored.task_id}] succeeded" in worker.output()
        assert files_in_run_folder(stored.pk, media_root) == [Path(stored.file.name).name]

    text = pdf_text(ReportRun.objects.get(pk=runs["global"][0]["id"]).file.path)
    assert f"UN Nutrition global coordination overview {YEAR}" in text
    assert f"UN Nutrition Chad Chad FAO {YEAR}-03-31" in text
    regional = xlsx_sheets(ReportRun.objects.get(pk=runs["regional"][0]["id"]).file.path)
    assert [row[0] for row in sheet(regional, "Country teams and regional groups")[1:]] == ["UN Nutrition Cambodia"]
    country = csv_sections(ReportRun.objects.get(pk=runs["country"][0]["id"]).file.path)
    activities = sheet_rows(country, f"Workplan {YEAR}: activities")
    assert sorted(row[0] for row in activities) == sorted(a.title for a in data.activities.values())
    roster = sheet_rows(country, "Members and technical focal points")
    assert [row[4] for row in roster if row[0] == "UNICEF"] == [data.focal_point.person.email]
    alerts = xlsx_sheets(ReportRun.objects.get(pk=runs["data_quality"][0]["id"]).file.path)
    assert sheet(alerts, "Data-quality findings")[1] == ("Teams without a convener", 1)


def sheet_rows(sections: dict, title: str) -> list[list[str]]:
    return sections[title][1:]


def test_a_job_killed_with_its_worker_finishes_once_on_another(workers, media_root):
    data = make_coordination()
    first = workers(REPORTS_TEST_DELAY="0.4")
    client = client_for(data.secretariat)
    url = request(client, kind="global", format="pdf")

    deadline = time.monotonic() + 60
    while (run := client.get(url).json())["progress"] < 20:
        assert time.monotonic() < deadline, (run, first.output())
        time.sleep(0.05)
    first.kill()
    stopped = ReportRun.objects.get(pk=run["id"])
    assert (stopped.status, stopped.attempts, stopped.file.name) == ("running", 1, "")
    assert 20 <= stopped.progress < 100

    second = workers()
    run, _seen = follow(client, url, timeout=120)
    assert run["status"] == "done", (run, second.output())
    stored = ReportRun.objects.get(pk=run["id"])
    # Run again by the new worker: a second attempt, one file, no partial one left.
    assert stored.attempts == 2
    assert f"reports.tasks.build_report[{stored.task_id}] succeeded" in second.output()
    assert files_in_run_folder(stored.pk, media_root) == [f"un-nutrition-global-{YEAR}.pdf"]
    assert f"UN Nutrition global coordination overview {YEAR}" in pdf_text(stored.file.path)
    finished = stored.finished_at
    # Later deliveries of the same message, if any, change nothing.
    time.sleep(2)
    stored.refresh_from_db()
    assert (stored.finished_at, stored.attempts) == (finished, 2)


def test_a_run_whose_worker_died_is_picked_up_as_soon_as_a_worker_starts(workers, media_root):
    """Not after the broker's visibility timeout (an hour here): the starting worker asks who
    is alive and queues again what the dead one was building."""
    data = make_coordination()
    first = workers(REPORTS_TEST_DELAY="0.4", REPORTS_TEST_VISIBILITY_TIMEOUT=3600)
    client = client_for(data.secretariat)
    url = request(client, kind="global", format="xlsx")
    deadline = time.monotonic() + 60
    while (run := client.get(url).json())["progress"] < 20:
        assert time.monotonic() < deadline, (run, first.output())
        time.sleep(0.05)
    first.kill()
    assert ReportRun.objects.get(pk=run["id"]).status == "running"

    started = time.monotonic()
    second = workers(REPORTS_TEST_VISIBILITY_TIMEOUT=3600)
    run, _seen = follow(client, url, timeout=90)
    assert run["status"] == "done", (run, second.output())
    assert time.monotonic() - started < 60, "picked up within a minute of the worker starting"
    stored = ReportRun.objects.get(pk=run["id"])
    assert stored.attempts == 2
    assert "lost their worker; queued again" in second.output()
    assert files_in_run_folder(stored.pk, media_root) == [f"un-nutrition-global-{YEAR}.xlsx"]


def test_failures_are_retried_with_backoff_then_reported(workers, media_root):
    data = make_coordination()
    media_root.mkdir(parents=True, exist_ok=True)
    blocker = media_root / "reports"
    blocker.write_text("a file where the reports folder should be: every write fails")
    worker = workers(REPORTS_MAX_RETRIES=2, REPORTS_RETRY_BACKOFF=1, REPORTS_TEST_DELAY=0)
    client = client_for(data.secretariat)

    # A failure that stays: retried twice, with a pause, then failed with the reason.
    run, seen = follow(client, request(client, kind="global", format="xlsx"))
    assert (run["status"], run["attempts"]) == ("failed", 3)
    assert run["error"] == "The report file could not be written: Not a directory."
    waiting = [error for status, _progress, error in seen if status == "queued" and error]
    assert any(note.startswith("Attempt 1 failed (The report file could not be written") for note in waiting), seen
    assert worker.output().count("Retry in") == 2

    # A failure that goes away: the first attempt fails, the retry succeeds.
    url = request(client, kind="data_quality", format="csv")
    deadline = time.monotonic() + 60
    while (run := client.get(url).json())["status"] != "queued" or not run["error"]:
        assert time.monotonic() < deadline and run["status"] in ("queued", "running"), (run, worker.output())
        time.sleep(0.02)
    assert run["error"].startswith("Attempt 1 failed")
    blocker.unlink()
    run, _seen = follow(client, url)
    assert (run["status"], run["attempts"], run["error"]) == ("done", 2, "")
    assert files_in_run_folder(run["id"], media_root) == [f"un-nutrition-data-quality-{YEAR}.zip"]


@pytest.fixture
def small_volume(media_root):
    """MEDIA_ROOT on a tmpfs of its own (512 KiB), as a full or read-only media volume would be.

    Mounting needs root (as in CI and the container); elsewhere the test is skipped,
    saying so."""
    media_root.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(media_root)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"Cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    yield media_root
    subprocess.run(["umount", "-l", str(media_root)], check=False)


@pytest.mark.parametrize("trouble", ["full", "read-only"])
def test_a_full_or_read_only_media_volume_fails_the_attempt_says_why_and_the_retry_delivers_once(
    workers, small_volume, trouble
):
    data = make_coordination()
    filler = small_volume / "filler"
    if trouble == "full":
        # Every byte taken: the report's folder can still be made, its file cannot be written.
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True, check=False)
        expected = "No space left on device"
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_volume)], check=True)
        expected = "Read-only file system"
    worker = workers(REPORTS_MAX_RETRIES=3, REPORTS_RETRY_BACKOFF=2, REPORTS_TEST_DELAY=0)
    client = client_for(data.secretariat)
    url = request(client, kind="data_quality", format="csv")

    # The requester is told what went wrong and that it will be tried again.
    deadline = time.monotonic() + 60
    while (run := client.get(url).json())["status"] != "queued" or not run["error"]:
        assert time.monotonic() < deadline and run["status"] in ("queued", "running"), (run, worker.output())
        time.sleep(0.02)
    assert run["error"].startswith(f"Attempt 1 failed (The report file could not be written: {expected}.)"), run

    # The volume is fixed: the retry delivers the report, once, with no partial file left.
    if trouble == "full":
        filler.unlink()
    else:
        subprocess.run(["mount", "-o", "remount,rw", str(small_volume)], check=True)
    run, _seen = follow(client, url)
    assert (run["status"], run["attempts"], run["error"]) == ("done", 2, ""), worker.output()
    assert files_in_run_folder(run["id"], small_volume) == [f"un-nutrition-data-quality-{YEAR}.zip"]
    assert ReportRun.objects.filter(kind="data_quality").count() == 1


def test_a_report_its_fonts_cannot_set_fails_at_once_without_retries(workers, media_root, tmp_path):
    """Missing fonts do not come back by waiting: the run fails on its first attempt, saying why."""
    data = make_coordination()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    worker = workers(FONTCONFIG_FILE=config, REPORTS_MAX_RETRIES=3, REPORTS_RETRY_BACKOFF=1, REPORTS_TEST_DELAY=0)
    client = client_for(data.secretariat)
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")  # a report is written in its requester's language
    run, seen = follow(client, request(client, kind="global", format="pdf"))
    assert (run["status"], run["attempts"]) == ("failed", 1), (seen, worker.output())
    assert "fonts-noto-cjk" in run["error"]
    assert "Retry in" not in worker.output()
