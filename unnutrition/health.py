"""/healthz: is this process able to serve? Checks the database and the broker.

Load balancers and docker-compose call it; it answers without a session or a template:

- 200 `{"status": "ok"}` when both answer;
- 503 `{"status": "degraded"}` when the database answers but the broker does not: pages, sign-in and
  the API still work, background jobs wait (reports are saved and handed over when it is back);
- 503 `{"status": "error"}` when the database does not answer: requests answer 503 too.

`checks` names each part and its error. `/healthz?allow=degraded` answers 200 while degraded: the
health check of a web process uses it, so that an orchestrator does not restart web processes that
can still serve because the broker is away (the broker's own health check reports the broker).
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from unnutrition.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks, failed = {}, set()
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure means "not healthy", reported by name
            checks[name] = f"error: {exc.__class__.__name__}"
            failed.add(name)
    if not failed:
        status = "ok"
    elif failed == {"broker"}:
        status = "degraded"
    else:
        status = "error"
    serving = status == "ok" or (status == "degraded" and request.GET.get("allow") == "degraded")
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)
