"""The portal's list of activities across workplans, with its filters, a table and its exports
(core.exports: the rows under the current filters as CSV or XLSX)."""

import django_filters
import django_tables2 as tables
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core.exports import ExportMixin
from core.i18n import localize_model_choices, localized_label
from core.templatetags.portal import name
from teams.models import Team

from .filtersets import ActivityFilterSet
from .models import ActionArea, Activity


class ActivityListFilterSet(ActivityFilterSet):
    """The portal's filters: team, year, action area, status, lead or participating agency, country."""

    team = django_filters.ModelChoiceFilter(
        field_name="workplan__team", queryset=Team.objects.all(), label=_("Team"), empty_label=_("All teams")
    )
    action_area = django_filters.ModelMultipleChoiceFilter(
        field_name="action_area", queryset=ActionArea.objects.all(), label=_("Action area")
    )
    title = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))

    class Meta(ActivityFilterSet.Meta):
        fields = ["title", "team", "year", "status", "action_area", "agency", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for extra in ("not_updated_since", "modified_since", "workplan", "region"):
            self.filters.pop(extra, None)
        localize_model_choices(self.form.fields["team"])
        localize_model_choices(self.form.fields["action_area"])


class ActivityTable(tables.Table):
    label = _("Activities")
    title = tables.Column(verbose_name=_("Activity"), linkify=lambda record: record.workplan.get_absolute_url())
    team = tables.Column(verbose_name=_("Team"), accessor="workplan__team", order_by=("workplan__team__name",))
    year = tables.Column(verbose_name=_("Year"), accessor="workplan__year")
    action_area = tables.Column(verbose_name=_("Action area"))
    lead_agency = tables.Column(verbose_name=_("Lead agency"), accessor="lead_agency__acronym")
    participating = tables.Column(verbose_name=_("Participating agencies"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    start_date = tables.DateColumn(verbose_name=_("Start date"), format="Y-m-d")
    end_date = tables.DateColumn(verbose_name=_("End date"), format="Y-m-d")
    currency = tables.Column(verbose_name=_("Currency"))
    budget_required = tables.Column(verbose_name=_("Budget required"))
    budget_available = tables.Column(verbose_name=_("Budget available"))

    class Meta:
        model = Activity
        fields = []
        sequence = [
            "title",
            "team",
            "year",
            "action_area",
            "lead_agency",
            "participating",
            "status",
            "start_date",
            "end_date",
            "currency",
            "budget_required",
            "budget_available",
        ]
        attrs = {"class": "table"}
        empty_text = _("No activity matches these filters.")

    def render_team(self, value):
        return name(value)

    def render_action_area(self, value):
        return localized_label(value)

    def render_participating(self, record):
        return ", ".join(sorted(agency.acronym for agency in record.participating_agencies.all()))

    def value_start_date(self, value):
        return value

    def value_end_date(self, value):
        return value

    def value_budget_required(self, value):
        return value

    def value_budget_available(self, value):
        return value


class ActivityListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """Every team's activities (workplans are read by anyone signed in), filtered; exported as shown."""

    template_name = "workplans/activity_list.html"
    table_class = ActivityTable
    filterset_class = ActivityListFilterSet
    paginate_by = 50
    export_name = "activities"

    def get_queryset(self):
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("workplan__team__country", "action_area", "lead_agency")
            .prefetch_related("participating_agencies")
            .order_by("workplan__team__name", "workplan__year", "start_date", "id")
        )
