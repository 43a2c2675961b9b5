"""The list of countries. A country's own page combines teams and workplans: unnutrition/views.py."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core.exports import ExportMixin
from core.i18n import collation_key, current_language

from .filtersets import CountryListFilterSet
from .models import Country
from .tables import CountryTable


class CountryListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "countries/country_list.html"
    table_class = CountryTable
    filterset_class = CountryListFilterSet
    paginate_by = 50
    export_name = "countries"

    def get_queryset(self):
        return Country.objects.select_related("region", "sun_membership").with_country_team().order_by("name")

    def get_table_data(self):
        """The countries sorted by their names in the reader's language (ICU collation: the Arabic
        alphabet, pinyin), with the keys the table's columns sort by."""
        language = current_language()
        rows = list(super().get_table_data())
        for country in rows:
            country.sort_name = collation_key(country.localized_name(language), language)
            region = country.region.localized_name(language) if country.region else ""
            country.sort_region = collation_key(region, language)
        return sorted(rows, key=lambda country: country.sort_name)
