"""The project's Celery app; workers start with `celery -A unnutrition worker`."""

import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")

app = Celery("unnutrition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class HandOverWaitingJobs(bootsteps.StartStopStep):
    """Runs each time the worker's consumer (re)connects to the broker: at start, and when the broker
    is back after an outage. What web processes saved while it was down is handed over now.

    A broker just back may still refuse a message, or the database may not answer yet: then the
    hand-over is tried again every RETRY_EVERY seconds, RETRIES times, on the worker's timer, rather
    than left to beat's next minute (or to no one, where beat does not run)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}
    RETRY_EVERY = 3.0
    RETRIES = 20

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self._retry = None

    def start(self, consumer):
        self._hand_over(consumer, ("reports", "emails"), tries_left=self.RETRIES, again=True)

    def stop(self, consumer):
        # The connection is lost again (or the worker stops): the next start hands over afresh.
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def _hand_over(self, consumer, parts: tuple[str, ...], tries_left: int, again: bool = False) -> None:
        from cycle.tasks import on_broker_connected as send_waiting_emails
        from reports.tasks import on_broker_connected as hand_over_reports

        # `again` only on connecting: what was handed over then need not be sent a second time.
        jobs = {"reports": lambda: hand_over_reports(again=again), "emails": send_waiting_emails}
        left = tuple(part for part in parts if not jobs[part]())
        self._retry = None
        if left and tries_left > 0 and consumer.timer is not None:
            self._retry = consumer.timer.call_after(self.RETRY_EVERY, self._hand_over, (consumer, left, tries_left - 1))


app.steps["consumer"].add(HandOverWaitingJobs)
