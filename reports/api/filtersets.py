import django_filters

from ..models import ReportRun


class ReportRunFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportRun.Kind.choices)
    status = django_filters.ChoiceFilter(choices=ReportRun.Status.choices)
    year = django_filters.NumberFilter()

    class Meta:
        model = ReportRun
        fields = ["kind", "status", "year"]
