"""The portal's list of indicator values across teams, with its filters, a table and its exports
(core.exports: the rows under the current filters as CSV or XLSX).

Approved values are the published results: everyone signed in reads them. Values awaiting approval
or returned are a team's working figures: only its people and the Secretariat see them here, on the
page and in its files alike (the list's queryset decides, so an export cannot show more)."""

import django_filters
import django_tables2 as tables
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core.exports import ExportMixin
from core.i18n import localize_model_choices
from core.templatetags.portal import name
from teams.models import Team

from .filtersets import IndicatorValueFilterSet
from .forms import shown_result
from .models import IndicatorValue


def values_visible_to(user):
    """Approved values for everyone signed in; every status for the team's people and the Secretariat."""
    return IndicatorValue.objects.visible_to(user)


class ValueListFilterSet(IndicatorValueFilterSet):
    team = django_filters.ModelChoiceFilter(
        field_name="indicator__output__workplan__team",
        queryset=Team.objects.all(),
        label=_("Team"),
        empty_label=_("All teams"),
    )
    indicator_title = django_filters.CharFilter(
        field_name="indicator__title", lookup_expr="icontains", label=_("Indicator contains")
    )

    class Meta(IndicatorValueFilterSet.Meta):
        fields = ["indicator_title", "team", "year", "status", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for extra in ("indicator", "output", "workplan", "period", "region", "modified_since"):
            self.filters.pop(extra, None)
        localize_model_choices(self.form.fields["team"])


class ValueTable(tables.Table):
    label = _("Indicator values")
    team = tables.Column(
        verbose_name=_("Team"),
        accessor="indicator__output__workplan__team",
        order_by=("indicator__output__workplan__team__name",),
    )
    year = tables.Column(verbose_name=_("Year"), accessor="period__year")
    period = tables.Column(verbose_name=_("Period"), accessor="period__kind")
    indicator = tables.Column(
        verbose_name=_("Indicator"),
        accessor="indicator__title",
        linkify=lambda record: reverse("results:indicator", args=[record.indicator_id]),
    )
    breakdown = tables.Column(verbose_name=_("Breakdown"), empty_values=(), orderable=False)
    value = tables.Column(verbose_name=_("Value"), empty_values=(), orderable=False)
    unit = tables.Column(verbose_name=_("Unit"), accessor="indicator__unit")
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = IndicatorValue
        fields = []
        sequence = ["team", "year", "period", "indicator", "breakdown", "value", "unit", "status"]
        attrs = {"class": "table"}
        empty_text = _("No value matches these filters.")

    def render_team(self, value):
        return name(value)

    def render_period(self, record):
        return record.period.get_kind_display()

    def render_unit(self, record):
        return record.indicator.get_unit_display()

    def render_breakdown(self, record):
        return record.breakdown_label() or _("Total")

    def render_value(self, record):
        return shown_result(record.value, record.text, record.indicator.unit)


class ValueListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "results/value_list.html"
    table_class = ValueTable
    filterset_class = ValueListFilterSet
    paginate_by = 50
    export_name = "indicator-values"

    def get_queryset(self):
        return (
            values_visible_to(self.request.user)
            .select_related("indicator__output__workplan__team__country", "period", "subdivision")
            .order_by("indicator__output__workplan__team__name", "period__end_date", "indicator_id", "sex", "id")
        )
