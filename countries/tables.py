import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.templatetags.portal import country_name

from .models import Country


class CountryTable(tables.Table):
    label = _("Countries")
    # Sorted by the names the reader sees (CountryListView sets the collation keys).
    name = tables.Column(
        verbose_name=_("Country"),
        linkify=("countries:detail", {"iso3": tables.A("iso_alpha3")}),
        order_by=("sort_name",),
    )
    iso_alpha3 = tables.Column(verbose_name=_("ISO code"))
    region = tables.Column(verbose_name=_("Region"), order_by=("sort_region",))
    sun = tables.BooleanColumn(
        verbose_name=_("SUN country"), accessor="sun_membership", orderable=False, yesno=(_("Yes"), _("No"))
    )
    country_team_name = tables.Column(verbose_name=_("Country team"), orderable=False, default="—")

    class Meta:
        model = Country
        fields = ["name", "iso_alpha3", "region", "sun", "country_team_name"]
        attrs = {"class": "table"}
        empty_text = _("No country matches these filters.")

    def render_name(self, record):
        return country_name(record)

    def render_region(self, value):
        return value.localized_name()
