from core.api.viewsets import ReadOnlyViewSet
from countries.filtersets import CountryFilterSet
from countries.models import Country, Region

from .serializers import CountrySerializer, RegionDetailSerializer


class CountryViewSet(ReadOnlyViewSet):
    """Every ISO 3166 country and territory, with its UN region, SUN status and country team."""

    queryset = (
        Country.objects.select_related(
            "region__parent__parent", "sun_membership__government_focal_point", "sun_membership__hub"
        )
        .with_country_team()
        .order_by("name")
    )
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    lookup_field = "iso_alpha3"
    lookup_value_regex = "[A-Za-z]{3}"
    search_fields = ["name", "official_name", "iso_alpha3", "iso_alpha2"]
    ordering_fields = ["name", "iso_alpha3"]

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


class RegionViewSet(ReadOnlyViewSet):
    """UN M49 regions, continents to sub-regions: the codes `region=` filters take, with names in
    the six UN languages and the region each is part of."""

    queryset = Region.objects.select_related("parent").order_by("level", "name")
    serializer_class = RegionDetailSerializer
    lookup_field = "slug"
    search_fields = ["name", "slug", "m49_code"]
    ordering_fields = ["name", "level", "m49_code"]
