import django_filters

from .models import Agency


class AgencyFilterSet(django_filters.FilterSet):
    class Meta:
        model = Agency
        fields = ["membership", "kind", "hosts_secretariat"]
