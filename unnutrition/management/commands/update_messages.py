from django.core.management import call_command
from django.core.management.base import BaseCommand

# The five languages besides English that the portal is translated into.
LANGUAGES = ["ar", "zh_Hans", "fr", "ru", "es"]
IGNORE = [".venv", "node_modules", "staticfiles", "media", "tests", "bench", "docs"]


class Command(BaseCommand):
    help = "Refresh locale/*/LC_MESSAGES/django.po from the code and templates (then translate the new entries)."

    def handle(self, *args, **options):
        call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORE, no_obsolete=True, verbosity=0)
        self.stdout.write("Catalogues updated: " + ", ".join(LANGUAGES))
