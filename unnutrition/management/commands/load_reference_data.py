from django.core.management.base import BaseCommand

from unnutrition.reference_data.services import load_reference_data


class Command(BaseCommand):
    help = (
        "Load UN Nutrition's reference data: agencies, governance, countries, SUN, SDG targets, worked-example teams."
    )

    def handle(self, *args, **options):
        counts = load_reference_data()
        if not counts:
            self.stdout.write("Reference data already up to date: nothing changed.")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count}")
