import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.i18n import collation_key, current_language, localized_label
from core.templatetags.portal import country_name, name
from teams.selectors import current_term

from .models import Team


class TeamTable(tables.Table):
    label = _("Teams")
    # Sorted by the names the reader sees (see __init__).
    name = tables.Column(verbose_name=_("Team"), linkify=True, order_by=("sort_name",))
    kind = tables.Column(verbose_name=_("Kind"))
    country = tables.Column(verbose_name=_("Country"), order_by=("sort_country",))
    convener = tables.Column(verbose_name=_("Convener"), empty_values=(), orderable=False)
    members = tables.Column(verbose_name=_("Member agencies"), empty_values=(), orderable=False)

    class Meta:
        model = Team
        fields = ["name", "kind", "country", "convener", "members"]
        attrs = {"class": "table"}
        empty_text = _("No team matches these filters.")

    def __init__(self, data=None, *args, **kwargs):
        # The teams sorted by their names in the reader's language (ICU collation), with the keys
        # the columns sort by; a list of a few hundred teams at most.
        language = current_language()
        rows = list(data if data is not None else [])
        for team in rows:
            team.sort_name = collation_key(localized_label(team), language)
            team.sort_country = collation_key(country_name(team.country), language)
        rows.sort(key=lambda team: team.sort_name)
        super().__init__(rows, *args, **kwargs)

    def render_name(self, record):
        return name(record)

    def render_country(self, value):
        return country_name(value)

    def render_convener(self, record):
        term = current_term(record, "convener")
        if term is None:
            return format_html('<span class="muted">{}</span>', _("No convener"))
        return term.agency.acronym if term.agency else _("Resident Coordinator")

    def render_members(self, record):
        return ", ".join(m.agency.acronym for m in record.members.all())
