import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create the local administrator account if it does not exist and print its password once. "
        "An existing account is left alone (its password, its API tokens); --reset gives it a new password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Give the existing account a new password (DJANGO_ADMIN_PASSWORD or a random one) and print it. "
            "A new password revokes the account's API tokens.",
        )

    @transaction.atomic
    def handle(self, *args, username, reset, **options):
        user = User.objects.filter(username=username).first()
        if user is not None and not reset:
            # Every `make run` calls this: the password printed at the first set-up keeps working.
            self.stdout.write(
                f"Admin account '{username}' exists; its password is unchanged "
                f"(a new one: python manage.py ensure_admin --reset)."
            )
            return
        # Random unless one is given: nothing guessable is ever left on a machine.
        password = os.environ.get("DJANGO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        created = user is None
        if created:
            user = User(username=username, email=f"{username}@localhost")
        user.is_staff = user.is_superuser = user.is_secretariat = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Admin account {'created' if created else 'reset'}:"))
        self.stdout.write(f"  username: {username}\n  password: {password}")
        if created:
            self.stdout.write("  (shown once; a new one: python manage.py ensure_admin --reset)")
