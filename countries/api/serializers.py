from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from countries.models import Country, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["slug", "name", "level"]


@extend_schema_field(
    {
        "type": "object",
        "description": "The region's name in each of the six UN languages, by language code.",
        "additionalProperties": {"type": "string"},
        "example": {"en": "Africa", "fr": "Afrique"},
    }
)
class NamesField(serializers.Field):
    """A stored English name in each UN language (the names are in the portal's catalogues)."""

    def __init__(self, **kwargs):
        super().__init__(source="name", read_only=True, **kwargs)

    def to_representation(self, name):
        names = {}
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                names[code] = translation.gettext(name)
        return names


class RegionDetailSerializer(serializers.ModelSerializer):
    """A UN M49 region for `region=` filters: its code, names, level and the region it is part of."""

    code = serializers.SlugField(source="slug", read_only=True, help_text="What `region=` takes, e.g. africa.")
    m49_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The UN M49 numeric code, which `region=` takes too, e.g. 002; null for Antarctica.",
    )
    names = NamesField()
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "m49_code", "name", "names", "level", "parent"]


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
    sun_regional_hub = serializers.CharField(
        source="sun_membership.hub.city",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="City of the SUN regional hub serving the country (Bangkok, Dakar, Nairobi, Panama City); "
        "null for countries outside the SUN Movement and those of its Convergence Hub.",
    )
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
            "sun_regional_hub",
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
