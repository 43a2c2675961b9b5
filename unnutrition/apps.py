from django.apps import AppConfig


class UnnutritionConfig(AppConfig):
    """Project-wide pieces: health check, reference and demo data commands."""

    name = "unnutrition"
    verbose_name = "UN Nutrition"
