"""Settings of the Celery workers that tests/reports/test_worker.py starts.

The project's settings, with one difference: the broker hands a killed worker's
job to another worker after REPORTS_TEST_VISIBILITY_TIMEOUT seconds (and looks
for such jobs every second) instead of after an hour, so the test of "a job
killed with its worker runs again" takes seconds. The mechanism is the real one.
"""

import os

from unnutrition.settings import *  # noqa: F403
from unnutrition.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("REPORTS_TEST_VISIBILITY_TIMEOUT", "10")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
