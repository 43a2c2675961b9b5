from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Files in and out: the Excel round trip of workplans and rosters (preview, confirm, undo), list
    exports, the UN INFO joint-workplan sheet and IATI 2.03 activity XML."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "exchange"
    verbose_name = _("Exchange")

    def ready(self):
        # The UN INFO sheet and IATI XML become report kinds: reports sits below exchange and never
        # imports it, so exchange hands its builders to the reports' registry.
        from . import report_files

        report_files.register()
