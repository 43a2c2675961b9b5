from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Registers the system checks, the signal handlers and the Celery tasks (services enqueue
        # build_report by name, in every process: web, worker, tests).
        from . import checks, signals, tasks  # noqa: F401
