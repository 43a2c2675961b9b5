"""Celery beat's scheduler, except that a due task the broker refused is not lost.

Celery's own scheduler moves an entry to its next occurrence before sending it; if the broker is
down at that moment the send fails, is logged, and the occurrence is gone: the monthly global
overview would wait a month. This one keeps a refused entry and sends it again every
RETRY_EVERY seconds until the broker takes it (once: a later success forgets it). Beat uses it
through CELERY_BEAT_SCHEDULER (settings).
"""

from __future__ import annotations

import logging

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)


class RetryingScheduler(PersistentScheduler):
    RETRY_EVERY = 15.0

    def __init__(self, *args, **kwargs):
        self.unsent: dict[str, object] = {}
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        logger.info("Scheduler: sending due task %s (%s)", entry.name, entry.task)
        self._send(entry, producer)

    def _send(self, entry, producer=None) -> bool:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # the broker refused or did not answer: keep it for the next try
            if entry.name not in self.unsent:
                logger.warning(
                    "Scheduler: %s could not be sent (%s: %s); trying again every %.0f s until the broker takes it",
                    entry.name,
                    exc.__class__.__name__,
                    exc,
                    self.RETRY_EVERY,
                )
            self.unsent[entry.name] = entry
            return False
        if self.unsent.pop(entry.name, None) is not None:
            logger.warning("Scheduler: %s was sent after all", entry.name)
        return True

    def tick(self, *args, **kwargs):
        for entry in list(self.unsent.values()):
            if not self._send(entry, self.producer):
                break  # still down: the others wait for the next try too
        interval = super().tick(*args, **kwargs)
        if self.unsent:
            return min(interval, self.RETRY_EVERY) if interval else self.RETRY_EVERY
        return interval
