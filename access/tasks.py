"""Celery policy for the people and access jobs; the work is in access.services."""

from celery import shared_task

from . import services


@shared_task(name="access.tasks.ask_roster_confirmations", acks_late=True)
def ask_roster_confirmations() -> int:
    """Daily (Celery beat): ask entries due for their yearly check. Idempotent: an entry asked is
    not asked again for ROSTER_CONFIRM_EVERY_DAYS, so a retry or a second run sends nothing twice."""
    return services.ask_roster_confirmations()
