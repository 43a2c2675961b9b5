from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "access"
    verbose_name = _("People and access")

    def ready(self):
        # Registers the Celery tasks (the yearly roster check) in every process.
        from . import tasks  # noqa: F401
