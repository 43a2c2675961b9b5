import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agencies.models import Agency
from core.filters import ModifiedSinceFilter, PortalFilterSet, StrictBooleanFilter
from core.i18n import localize_model_choices, localized_label
from countries.filtersets import CountryCodeFilter, RegionFilter
from countries.models import Country

from .models import Team


@extend_schema_field(OpenApiTypes.STR)
class AgencyCodeFilter(django_filters.ModelMultipleChoiceFilter):
    """`?agency=WFP` by acronym; repeat for several."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Agency.objects.all())
        kwargs.setdefault("to_field_name", "acronym")
        kwargs.setdefault("help_text", "Agency acronym, e.g. WFP; repeat for several.")
        kwargs.setdefault("distinct", True)
        if kwargs.get("field_name"):
            kwargs["field_name"] = f"{kwargs['field_name']}__acronym"
        super().__init__(*args, **kwargs)


class TeamFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = CountryCodeFilter(field_name="country", label=_("Country"))
    region = RegionFilter(field_names=("region", "country__region"), label=_("Region"))
    agency = AgencyCodeFilter(
        field_name="members__agency", label=_("Member agency"), help_text="Teams where this agency is a member."
    )
    kind = django_filters.ChoiceFilter(choices=Team.Kind.choices, label=_("Kind"))
    has_convener = StrictBooleanFilter(
        method="filter_has_convener", label=_("Has a convener"), help_text="Has a convener today."
    )
    modified_since = ModifiedSinceFilter(
        help_text="ISO 8601 date or date-time: teams whose record or roster (conveners, members, focal points) "
        "changed at or after it."
    )

    class Meta:
        model = Team
        fields = ["q", "country", "region", "agency", "kind", "is_active", "has_convener", "modified_since"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(country__name__icontains=value))

    def filter_has_convener(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.with_convener(today) if value else queryset.without_convener(today)


class TeamListFilterSet(TeamFilterSet):
    """The portal's team list: the country filter offers the countries that have a team (not all
    249) as a searchable picker (static/js/pickers.js); the API takes any ISO code, as before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("modified_since", None)  # for API clients that sync; not a filter people use
        field = self.form.fields["country"]
        field.queryset = Country.objects.filter(teams__isnull=False).distinct().order_by("name")
        # Names and order of the reader's language (ICU collation), not English by code point.
        localize_model_choices(field)
        localize_model_choices(self.form.fields["region"])
        localize_model_choices(
            self.form.fields["agency"], label=lambda agency: f"{agency.acronym} – {localized_label(agency)}"
        )
        self.form.fields["agency"].widget.attrs.update(
            {"data-picker": "list", "size": 6, "data-placeholder": _("Type an acronym")}
        )
        field.widget.attrs.update(
            {
                "data-picker": "list",
                "size": 6,
                "data-placeholder": _("Type a country's name"),
                "data-no-results": _("No country with a team matches."),
            }
        )
