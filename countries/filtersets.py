import django_filters
import django_filters.fields
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.filters import PortalFilterSet, StrictBooleanFilter
from core.i18n import localize_model_choices

from .models import Country, Region
from .selectors import region_with_descendants


@extend_schema_field(OpenApiTypes.STR)
class RegionChoiceField(django_filters.fields.ModelChoiceField):
    """A region by its code (`africa`) or its UN M49 numeric code (`002`; `2` reads as `002`)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            region = Region.objects.filter(m49_code=value.strip().zfill(3)).first()
            if region is not None:
                return region
            raise ValidationError(
                _("Unknown M49 region code %(code)s. Codes: %(codes)s."),
                code="invalid_choice",
                params={
                    "code": value.strip(),
                    "codes": ", ".join(
                        Region.objects.exclude(m49_code=None).order_by("m49_code").values_list("m49_code", flat=True)
                    ),
                },
            )
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            # Say which codes exist (the list is short), not Django's "Select a valid choice".
            codes = ", ".join(Region.objects.order_by("slug").values_list("slug", flat=True))
            raise ValidationError(
                _("Unknown region. Regions: %(codes)s, or a UN M49 code such as 002."),
                code="invalid_choice",
                params={"codes": codes},
            ) from None


@extend_schema_field(OpenApiTypes.STR)
class RegionFilter(django_filters.ModelChoiceFilter):
    """`?region=africa` matches the region and every region inside it.

    `field_names` are the paths from the filtered model to a region; a row
    matches when any of them is inside the region.
    """

    field_class = RegionChoiceField

    def __init__(self, *args, field_names=("region",), **kwargs):
        self.field_names = field_names
        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "help_text",
            "Region code, e.g. africa, latin-america-and-the-caribbean, south-eastern-asia, or its UN M49 "
            "numeric code, e.g. 002 (Africa), 142 (Asia), 202 (Sub-Saharan Africa); see /api/v1/regions/.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ids = region_with_descendants(value)
        condition = Q()
        for name in self.field_names:
            condition |= Q(**{f"{name}__in": ids})
        return qs.filter(condition).distinct() if len(self.field_names) > 1 else qs.filter(condition)


@extend_schema_field(OpenApiTypes.STR)
class CountryCodeFilter(django_filters.ModelMultipleChoiceFilter):
    """`?country=KHM` (repeat for several) by ISO 3166 alpha-3 code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "iso_alpha3")
        # django-filter compares the path with the to_field value, so point it there.
        kwargs["field_name"] = f"{kwargs.get('field_name', 'country')}__iso_alpha3"
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-3 code, e.g. KHM; repeat for several.")
        super().__init__(*args, **kwargs)


class CountryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = RegionFilter(label=_("Region"))
    sun_member = StrictBooleanFilter(
        field_name="sun_membership",
        lookup_expr="isnull",
        exclude=True,
        label=_("SUN country"),
        help_text="In the SUN Movement.",
    )
    has_team = StrictBooleanFilter(
        method="filter_has_team", label=_("Has a country team"), help_text="Has an active country team."
    )

    class Meta:
        model = Country
        fields = ["q", "region", "sun_member", "has_team"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(official_name__icontains=value) | Q(iso_alpha3__iexact=value)
        )

    def filter_has_team(self, queryset, name, value):
        with_team = Q(teams__kind="country", teams__is_active=True)
        return queryset.filter(with_team) if value else queryset.exclude(with_team)


class CountryListFilterSet(CountryFilterSet):
    """The portal's country list: by default the countries UN Nutrition works with (an active
    team of any kind, or a SUN Movement membership), not Antarctica or Bouvet Island; "all"
    lists every ISO 3166 country and territory. The API lists all, as before."""

    ALL = "all"
    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[(ALL, _("All countries and territories"))],
        empty_label=_("Countries with a team or in the SUN Movement"),
        method="filter_show",
    )

    class Meta(CountryFilterSet.Meta):
        fields = ["show", *CountryFilterSet.Meta.fields]

    def __init__(self, data=None, *args, **kwargs):
        # Unbound (no query string), django-filter applies no filter at all: bind it, so the
        # default scope holds on the first visit too.
        super().__init__({} if data is None else data, *args, **kwargs)
        localize_model_choices(self.form.fields["region"])

    def filter_show(self, queryset, name, value):
        return queryset  # "all": nothing to narrow; the default is applied in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("show") != self.ALL:
            queryset = queryset.filter(working_with_un_nutrition())
        return queryset


def working_with_un_nutrition() -> Q:
    """Countries with an active team of any kind, or in the SUN Movement (one row each)."""
    with_team = Country.objects.filter(pk=OuterRef("pk"), teams__is_active=True)
    return Q(Exists(with_team)) | Q(sun_membership__isnull=False)
