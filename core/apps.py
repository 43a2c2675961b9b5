from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The floor every app builds on: abstract models, filters, API base classes,
    conditional requests, history helpers and template filters. It imports no
    domain app (checked by .ci/check_imports.py)."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Every save, delete and many-to-many change of a tracked model replaces its scope's data version.
        from . import versions

        versions.connect_signals()
