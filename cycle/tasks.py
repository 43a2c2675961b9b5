"""Celery policy for the yearly cycle's jobs; the work is in cycle/services.py and cycle/delivery.py.

- `send_emails` drains the outbox: queued after every commit that writes e-mails (cycle.services.
  dispatch), every minute by beat (what waited while the broker was down, retries that fell due),
  and when a worker connects to the broker. Several may run at once: each claims its own rows. It is
  acks_late, so a worker killed mid-batch has its message delivered again; the rows say what was
  sent, so nothing is sent twice (cycle/delivery.py).
- The daily and weekly jobs record notifications keyed by their event: running one twice, or a
  retry, records nothing more.

The task names are fixed: the beat schedule (unnutrition/settings.py) and services name them.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import close_old_connections

from workplans import endorsement

from . import delivery, services
from .models import Email

logger = logging.getLogger(__name__)


@shared_task(name=services.SEND_EMAILS_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_emails(self) -> dict:
    return delivery.send_batch(worker=f"{self.request.hostname or 'worker'}:{self.request.id or ''}")


@shared_task(name="cycle.tasks.close_endorsement_rounds", acks_late=True, ignore_result=True)
def close_endorsement_rounds() -> int:
    """Daily: workplans whose "no objection" deadline passed with nobody returning them are endorsed."""
    return endorsement.close_rounds_past_deadline()


@shared_task(name="cycle.tasks.remind_deadlines", acks_late=True, ignore_result=True)
def remind_deadlines() -> int:
    return services.remind_deadlines()


@shared_task(name="cycle.tasks.make_digests", acks_late=True, ignore_result=True)
def make_digests(form: str = Email.Form.DAILY) -> int:
    return services.make_digests(form=form)


@shared_task(name="cycle.tasks.secretariat_digest", acks_late=True, ignore_result=True)
def secretariat_digest() -> int:
    return services.secretariat_digest()


def on_broker_connected() -> bool:
    """A worker has just connected to the broker (started, or the broker is back): send the outbox at
    once rather than at beat's next minute (unnutrition/celery.py calls this). Returns whether the
    job was handed over."""
    close_old_connections()
    try:
        return services.dispatch()
    except Exception:  # never keep a worker from starting
        logger.exception("Could not queue the e-mail job")
        return False
    finally:
        close_old_connections()
