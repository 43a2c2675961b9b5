"""A run the job queue could not take yet (the outbox), as its requester sees it, and the
in-process mode of `make run`, which has no queue to wait for.

With Redis really stopped and a real worker, tests/test_outages.py follows such runs to their
files; these run anywhere (SQLite too) and check what the page and the API say."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports import services
from reports.models import ReportRun

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def waiting_run(user) -> ReportRun:
    """What a web process leaves when the broker refused the run: queued, not handed over."""
    return ReportRun.objects.create(
        kind="global",
        format="xlsx",
        year=YEAR,
        requested_by=user,
        dedupe_key=f"waiting-{user.pk}",
        queue_down_since=timezone.now(),
    )


def test_a_waiting_run_says_it_waits_for_the_job_queue_not_a_frozen_bar(client, coordination):
    run = waiting_run(coordination.secretariat)
    client.force_login(coordination.secretariat)

    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert "Waiting for the job queue." in page
    assert "you do not need to ask again" in page
    assert "<progress" not in page
    assert 'hx-trigger="every 1s"' in page  # it keeps looking, and changes by itself once handed over
    assert "waiting for the job queue" in client.get("/reports/").content.decode()

    api = APIClient()
    api.force_authenticate(coordination.secretariat)
    body = api.get(f"/api/v1/reports/{run.pk}/").json()
    assert (body["status"], body["waiting_for_queue"]) == ("queued", True)
    assert body["status_message"].startswith("Waiting for the job queue")


def test_a_run_handed_to_the_queue_shows_its_progress(client, coordination):
    run = waiting_run(coordination.secretariat)
    ReportRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now(), queue_down_since=None)
    client.force_login(coordination.secretariat)
    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert "Waiting for the job queue." not in page and "<progress" in page
    api = APIClient()
    api.force_authenticate(coordination.secretariat)
    body = api.get(f"/api/v1/reports/{run.pk}/").json()
    assert body["waiting_for_queue"] is False
    assert body["status_message"] == "Waiting for a worker to start the report…"


def test_in_process_mode_builds_at_once_and_the_dispatcher_builds_what_waited(
    client, coordination, django_capture_on_commit_callbacks
):
    """`make run`: no broker, the report is ready when the request returns; a run left waiting
    (say, from a deployment with Redis) is built by the dispatcher, once."""
    client.force_login(coordination.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", {"kind": "country", "team": coordination.cambodia.pk, "format": "csv", "year": YEAR})
    requested = ReportRun.objects.get(kind="country")
    assert requested.status == "done" and requested.dispatched_at is not None

    waiting = waiting_run(coordination.secretariat)
    assert services.dispatch_waiting() == {"runs": 1, "emails": 0, "refused": 0}
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.queue_down_since) == ("done", 1, None)
    assert services.dispatch_waiting() == {"runs": 0, "emails": 0, "refused": 0}
