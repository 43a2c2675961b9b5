"""The list of countries. A country's own page combines teams and workplans: unnutrition/views.py."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .filtersets import CountryListFilterSet
from .models import Country
from .tables import CountryTable


class CountryListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    template_name = "countries/country_list.html"
    table_class = CountryTable
    filterset_class = CountryListFilterSet
    paginate_by = 50

    def get_queryset(self):
        return Country.objects.select_related("region", "sun_membership").with_country_team().order_by("name")
