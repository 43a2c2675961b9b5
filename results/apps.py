from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Joint results: indicators of the workplans' outputs, their values per reporting period, evidence."""

    name = "results"
    verbose_name = _("Results")

    def ready(self):
        from workplans.signals import workplan_copied

        from . import services

        # Copying a workplan into a new year (workplans.services.copy_workplan) copies the indicators of
        # its outputs too, with the targets for the new year; the workplans app cannot know of them.
        workplan_copied.connect(services.copy_indicators, dispatch_uid="results.copy_indicators")
