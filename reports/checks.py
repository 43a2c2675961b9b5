"""System checks: report settings that would break the delivery guarantees of reports/tasks.py."""

import datetime as dt

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_report_settings(app_configs=None, **kwargs):
    problems = []
    visibility = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}).get("visibility_timeout", 3600)
    if visibility <= settings.REPORTS_RETRY_BACKOFF_MAX:
        problems.append(
            checks.Error(
                "REPORTS_RETRY_BACKOFF_MAX must be shorter than the broker's visibility timeout.",
                hint="A worker holds a delayed retry unacknowledged; past the visibility timeout Redis hands "
                "it to another worker as well, and the report is built twice.",
                id="reports.E001",
            )
        )
    if visibility <= settings.REPORTS_TIME_LIMIT + 60:
        problems.append(
            checks.Error(
                "REPORTS_TIME_LIMIT (plus its 60 s hard margin) must be shorter than the visibility timeout.",
                hint="A job still running past the visibility timeout is delivered to a second worker.",
                id="reports.E002",
            )
        )
    if visibility + settings.REPORTS_TIME_LIMIT >= settings.REPORTS_ABANDONED_AFTER:
        problems.append(
            checks.Error(
                "REPORTS_ABANDONED_AFTER must be longer than the visibility timeout plus REPORTS_TIME_LIMIT.",
                hint="Otherwise a job whose worker died is given up before the broker delivers it again.",
                id="reports.E003",
            )
        )
    try:
        month, day = (int(part) for part in settings.REPORTS_WORKPLAN_DUE.split("-"))
        dt.date(2024, month, day)
    except ValueError:
        problems.append(
            checks.Error(
                f"REPORTS_WORKPLAN_DUE={settings.REPORTS_WORKPLAN_DUE!r} is not a day of the year as MM-DD.",
                hint='For example "03-31" for the 31st of March.',
                id="reports.E004",
            )
        )
    return problems
