from agencies.filtersets import AgencyFilterSet
from agencies.models import Agency
from core.api.viewsets import ReadOnlyViewSet

from .serializers import AgencySerializer


class AgencyViewSet(ReadOnlyViewSet):
    """Member agencies of UN Nutrition and the regional offices that sit in teams."""

    queryset = Agency.objects.select_related("parent").prefetch_related("sc_seats").order_by("acronym")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    lookup_field = "acronym"
    lookup_value_regex = "[^/]+"
    search_fields = ["acronym", "name"]
    ordering_fields = ["acronym", "name", "membership"]
