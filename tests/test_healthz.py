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
    # The database answers: the web can still serve, only background jobs wait.
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")


def test_a_web_health_check_accepts_degraded(client, real_broker):
    """docker-compose's web health check: a broker outage must not get web processes restarted."""
    real_broker("redis://127.0.0.1:1/0")
    response = client.get("/healthz?allow=degraded")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
