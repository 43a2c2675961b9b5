import django_filters

from core.filters import PortalFilterSet, YearFilter

from ..models import ReportRun


class ReportRunFilterSet(PortalFilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportRun.Kind.choices)
    status = django_filters.ChoiceFilter(choices=ReportRun.Status.choices)
    year = YearFilter()

    class Meta:
        model = ReportRun
        fields = ["kind", "status", "year"]
