from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from countries.models import Country, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["slug", "name", "level"]


class SunStatusSerializer(serializers.Serializer):
    member = serializers.BooleanField()
    joined_on = serializers.DateField(allow_null=True)
    government_focal_point = serializers.CharField(allow_null=True)


def sun_status(country) -> dict:
    membership = getattr(country, "sun_membership", None)
    if membership is None:
        return {"member": False, "joined_on": None, "government_focal_point": None}
    focal = membership.government_focal_point
    return {
        "member": True,
        "joined_on": membership.joined_on,
        "government_focal_point": str(focal) if focal else None,
    }


class CountrySerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    region_path = serializers.SerializerMethodField(help_text="From the top-level region down.")
    sun = serializers.SerializerMethodField()
    country_team = serializers.IntegerField(
        source="country_team_id", read_only=True, allow_null=True, help_text="Id of the active country team."
    )

    class Meta:
        model = Country
        fields = [
            "iso_alpha3",
            "iso_alpha2",
            "iso_numeric",
            "name",
            "official_name",
            "region",
            "region_path",
            "sun",
            "country_team",
        ]

    def get_region_path(self, country) -> list[str]:
        path, region = [], country.region
        while region is not None:
            path.insert(0, region.name)
            region = region.parent
        return path

    @extend_schema_field(SunStatusSerializer)
    def get_sun(self, country):
        return sun_status(country)
