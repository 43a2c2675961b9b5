from core.filters import PortalFilterSet

from .models import Agency


class AgencyFilterSet(PortalFilterSet):
    class Meta:
        model = Agency
        fields = ["membership", "kind", "hosts_secretariat"]
