from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cycle"
    verbose_name = _("The yearly cycle")

    def ready(self):
        # The domain events of the apps below become notifications (cycle/receivers.py), and the
        # Celery tasks register in every process (beat names them; services queue them by name).
        from . import receivers, tasks  # noqa: F401

        receivers.connect()
