from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self):
        # Registers the portal.* permissions with the rules backend.
        from . import permissions, security  # noqa: F401

        security.connect()
