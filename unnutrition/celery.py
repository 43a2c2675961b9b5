"""The project's Celery app; workers start with `celery -A unnutrition worker`."""

import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")

app = Celery("unnutrition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class HandOverWaitingJobs(bootsteps.StartStopStep):
    """Runs each time the worker's consumer (re)connects to the broker: at start, and when the broker
    is back after an outage. What web processes saved while it was down is handed over now."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer):
        from cycle.tasks import on_broker_connected as send_waiting_emails
        from reports.tasks import on_broker_connected

        on_broker_connected()
        send_waiting_emails()


app.steps["consumer"].add(HandOverWaitingJobs)
