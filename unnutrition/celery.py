"""The project's Celery app; workers start with `celery -A unnutrition worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")

app = Celery("unnutrition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
