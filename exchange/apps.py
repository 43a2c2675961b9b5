from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Files in and out: the Excel round trip of workplans and rosters (preview, confirm, undo), list
    exports, the UN INFO joint-workplan sheet and IATI 2.03 activity XML."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "exchange"
    verbose_name = _("Exchange")
