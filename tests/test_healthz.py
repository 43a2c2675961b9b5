"""/healthz checks the database and the broker, and says which one failed."""

import pytest

from unnutrition.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_with_in_process_tasks(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "in-process"}}


@pytest.fixture
def real_broker(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def use(url):
        monkeypatch.setattr(celery_app.conf, "broker_url", url)

    return use


def test_healthy_with_a_real_redis_broker(client, real_broker, redis_url):
    real_broker(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_unreachable_broker_is_reported(client, real_broker):
    real_broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")
