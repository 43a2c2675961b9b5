from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self):
        # Each app's rules.py registers its portal.* permissions (rules' autodiscovery).
        from . import security  # noqa: F401

        security.connect()
