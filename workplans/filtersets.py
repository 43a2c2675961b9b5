import django_filters
from django.db.models import Q

from core.filters import CodeMultipleChoiceFilter, PortalFilterSet, YearFilter
from countries.filtersets import CountryCodeFilter, RegionFilter
from teams.filtersets import AgencyCodeFilter
from teams.models import Team

from .models import ActionArea, Activity, ProgressUpdate, ResourceMobilised, Workplan


class WorkplanFilterSet(PortalFilterSet):
    year = YearFilter()
    country = CountryCodeFilter(field_name="team__country")
    region = RegionFilter(field_names=("team__region", "team__country__region"))
    agency = AgencyCodeFilter(field_name="team__members__agency", help_text="Workplans of teams this agency is in.")

    class Meta:
        model = Workplan
        fields = ["team", "year", "status", "country", "region", "agency"]


class ActivityFilterSet(PortalFilterSet):
    country = CountryCodeFilter(field_name="workplan__team__country")
    region = RegionFilter(field_names=("workplan__team__region", "workplan__team__country__region"))
    agency = AgencyCodeFilter(method="filter_agency", help_text="Led by or with the participation of this agency.")
    team = django_filters.ModelChoiceFilter(field_name="workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="workplan__year")
    action_area = CodeMultipleChoiceFilter(
        field_name="action_area__code",
        queryset=ActionArea.objects.all(),
        to_field_name="code",
        help_text="Action area code, e.g. capacity.",
    )
    status = django_filters.MultipleChoiceFilter(choices=Activity.Status.choices)
    not_updated_since = django_filters.DateFilter(
        method="filter_not_updated_since", help_text="No progress reported since this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Activity
        fields = ["workplan", "team", "year", "status", "action_area", "country", "region", "agency"]

    def filter_agency(self, queryset, name, agencies):
        if not agencies:
            return queryset
        return queryset.filter(Q(lead_agency__in=agencies) | Q(participating_agencies__in=agencies)).distinct()

    def filter_not_updated_since(self, queryset, name, value):
        return queryset.filter(Q(last_progress_at__isnull=True) | Q(last_progress_at__date__lt=value))


class ProgressUpdateFilterSet(PortalFilterSet):
    country = CountryCodeFilter(field_name="activity__workplan__team__country")
    team = django_filters.ModelChoiceFilter(field_name="activity__workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="activity__workplan__year")

    class Meta:
        model = ProgressUpdate
        fields = ["activity", "team", "year", "status", "country"]


class ResourceMobilisedFilterSet(PortalFilterSet):
    country = CountryCodeFilter(field_name="team__country")
    region = RegionFilter(field_names=("team__region", "team__country__region"))
    year = YearFilter(field_name="received_on__year")

    class Meta:
        model = ResourceMobilised
        fields = ["team", "workplan", "currency", "country", "region", "year"]
