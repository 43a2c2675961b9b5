"""API filters for outputs, indicators, values, periods and evidence: strict like the rest
(an unknown value or parameter answers 400 naming it)."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field

from core.filters import CodeMultipleChoiceFilter, PortalFilterSet, StrictBooleanFilter, YearFilter
from countries.filtersets import CountryCodeFilter, RegionFilter
from teams.models import Team
from workplans.models import ActionArea, Output, ReportingPeriod, Workplan

from .models import Attachment, Indicator, IndicatorValue, StandardIndicator, Unit
from .services import TARGETS


@extend_schema_field({"type": "integer"})
class WholeNumberFilter(django_filters.NumberFilter):
    """An id: a whole number (0.5 answers 400)."""

    field_class = forms.IntegerField


class OutputFilterSet(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(field_name="workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="workplan__year")
    country = CountryCodeFilter(field_name="workplan__team__country")
    region = RegionFilter(field_names=("workplan__team__region", "workplan__team__country__region"))
    action_area = CodeMultipleChoiceFilter(
        field_name="action_area__code",
        queryset=ActionArea.objects.all(),
        to_field_name="code",
        help_text="Action area code, e.g. capacity.",
    )

    class Meta:
        model = Output
        fields = ["workplan", "team", "year", "country", "region", "action_area", "cooperation_outcome"]


class IndicatorFilterSet(PortalFilterSet):
    workplan = django_filters.ModelChoiceFilter(field_name="output__workplan", queryset=Workplan.objects.all())
    team = django_filters.ModelChoiceFilter(field_name="output__workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="output__workplan__year")
    country = CountryCodeFilter(field_name="output__workplan__team__country")
    region = RegionFilter(field_names=("output__workplan__team__region", "output__workplan__team__country__region"))
    standard = CodeMultipleChoiceFilter(
        field_name="standard__code",
        queryset=StandardIndicator.objects.all(),
        to_field_name="code",
        help_text="Code of a standard indicator, e.g. sdg-2-2-1-stunting; repeat for several.",
    )
    unit = django_filters.MultipleChoiceFilter(choices=Unit.choices)

    class Meta:
        model = Indicator
        fields = ["output", "workplan", "team", "year", "country", "region", "standard", "unit", "sdg_indicator"]


class IndicatorValueFilterSet(PortalFilterSet):
    output = django_filters.ModelChoiceFilter(field_name="indicator__output", queryset=Output.objects.all())
    workplan = django_filters.ModelChoiceFilter(
        field_name="indicator__output__workplan", queryset=Workplan.objects.all()
    )
    team = django_filters.ModelChoiceFilter(field_name="indicator__output__workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="period__year")
    country = CountryCodeFilter(field_name="indicator__output__workplan__team__country")
    region = RegionFilter(
        field_names=("indicator__output__workplan__team__region", "indicator__output__workplan__team__country__region")
    )
    status = django_filters.MultipleChoiceFilter(choices=IndicatorValue.Status.choices)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "output", "workplan", "team", "period", "year", "status", "country", "region"]


class ReportingPeriodFilterSet(PortalFilterSet):
    year = YearFilter()
    closed = StrictBooleanFilter(
        field_name="closed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: closed periods only; false: open ones.",
    )

    class Meta:
        model = ReportingPeriod
        fields = ["year", "kind", "closed"]


class AttachmentFilterSet(PortalFilterSet):
    target_type = django_filters.ChoiceFilter(
        choices=[(name, name) for name in TARGETS], method="filter_target_type", help_text="What the evidence is on."
    )
    target_id = WholeNumberFilter(field_name="object_id", help_text="The id of the record it is on.")
    country = CountryCodeFilter(field_name="team__country")

    class Meta:
        model = Attachment
        fields = ["team", "target_type", "target_id", "kind", "visibility", "language", "country"]

    def filter_target_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(content_type=ContentType.objects.get_for_model(TARGETS[value][0]))


class StandardIndicatorFilterSet(PortalFilterSet):
    class Meta:
        model = StandardIndicator
        fields = ["category", "unit", "is_active"]
