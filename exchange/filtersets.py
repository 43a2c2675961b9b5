import django_filters

from core.filters import PortalFilterSet
from teams.models import Team
from workplans.models import Workplan

from .models import ImportBatch


class ImportBatchFilterSet(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    workplan = django_filters.ModelChoiceFilter(queryset=Workplan.objects.all())

    class Meta:
        model = ImportBatch
        fields = ["team", "workplan", "kind", "status"]
