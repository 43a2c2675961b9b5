import os
import secrets

from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = "Create (or reset) the local administrator account and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        # A fresh random password on every run unless one is given: nothing
        # guessable is ever left on a machine, and the printed one always works.
        password = os.environ.get("DJANGO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
        user.is_staff = user.is_superuser = user.is_secretariat = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Admin account {'created' if created else 'reset'}:"))
        self.stdout.write(f"  username: {username}\n  password: {password}")
