import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.templatetags.portal import country_name
from teams.selectors import current_term

from .models import Team


class TeamTable(tables.Table):
    name = tables.Column(verbose_name=_("Team"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    country = tables.Column(verbose_name=_("Country"), order_by=("country__name",))
    convener = tables.Column(verbose_name=_("Convener"), empty_values=(), orderable=False)
    members = tables.Column(verbose_name=_("Member agencies"), empty_values=(), orderable=False)

    class Meta:
        model = Team
        fields = ["name", "kind", "country", "convener", "members"]
        attrs = {"class": "table"}
        empty_text = _("No team matches these filters.")

    def render_country(self, value):
        return country_name(value)

    def render_convener(self, record):
        term = current_term(record, "convener")
        if term is None:
            return format_html('<span class="muted">{}</span>', _("No convener"))
        return term.agency.acronym if term.agency else _("Resident Coordinator")

    def render_members(self, record):
        return ", ".join(m.agency.acronym for m in record.members.all())
