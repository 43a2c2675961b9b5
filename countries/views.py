from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from teams.models import Team
from teams.selectors import roster_queryset

from .filtersets import CountryFilterSet
from .models import Country
from .tables import CountryTable


class CountryListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    template_name = "countries/country_list.html"
    table_class = CountryTable
    filterset_class = CountryFilterSet
    paginate_by = 50

    def get_queryset(self):
        team = Team.objects.filter(country=OuterRef("pk"), kind="country", is_active=True)
        return (
            Country.objects.select_related("region", "sun_membership")
            .annotate(country_team_name=Subquery(team.values("name")[:1]))
            .order_by("name")
        )


class CountryDetailView(LoginRequiredMixin, TemplateView):
    template_name = "countries/country_detail.html"

    def get_context_data(self, **kwargs):
        country = get_object_or_404(
            Country.objects.select_related("region__parent", "sun_membership__government_focal_point"),
            iso_alpha3=self.kwargs["iso3"].upper(),
        )
        return {
            **super().get_context_data(**kwargs),
            "country": country,
            "teams": roster_queryset().filter(country=country),
            "networks": country.sun_networks.select_related("network"),
            "platforms": country.platforms.all(),
            "frameworks": country.national_frameworks.all(),
        }
