"""Shapes of outputs, indicators, values, periods and evidence in the API.

Reads of indicators and values are built from plain rows (results.selectors, a fixed number of
queries); the read serializers here document that shape. Write serializers check types and
references; the rules across fields and states are the services'."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from core.api.serializers import CodeField, PrimaryKeyField
from countries.models import Subdivision
from workplans.api.serializers import ScopedPrimaryKeyField
from workplans.models import (
    OUTPUT_PLANNING_FIELDS,
    ActionArea,
    CooperationOutcome,
    NationalFramework,
    Output,
    ReportingPeriod,
    Workplan,
)

from ..models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    AgeGroup,
    Attachment,
    Direction,
    Indicator,
    IndicatorValue,
    Sex,
    StandardIndicator,
    Unit,
)
from ..selectors import STATUSES, indicator_payloads, value_payloads
from ..services import TARGETS


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?\d{1,14}(?:\.\d{1,2})?$", "example": "32.40"}
)
class ValueField(serializers.DecimalField):
    """A number of an indicator (a percentage, a count; 1 or 0 for yes or no): up to 14 digits and 2 decimals."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


def value_field(**kwargs):
    return ValueField(**kwargs)


# --- outputs ---------------------------------------------------------------------------------


class OutputSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="workplan.team_id", read_only=True)
    year = serializers.IntegerField(source="workplan.year", read_only=True)
    action_area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Output
        fields = ["id", "workplan", "team", "year", *OUTPUT_PLANNING_FIELDS, "updated_at"]


class OutputWriteSerializer(serializers.ModelSerializer):
    workplan = ScopedPrimaryKeyField(queryset=Workplan.objects.all())
    action_area = CodeField(slug_field="code", queryset=ActionArea.objects.all(), required=False, allow_null=True)
    cooperation_outcome = PrimaryKeyField(queryset=CooperationOutcome.objects.all(), required=False, allow_null=True)
    national_framework = PrimaryKeyField(queryset=NationalFramework.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Output
        fields = ["workplan", *OUTPUT_PLANNING_FIELDS]


# --- the catalogue -----------------------------------------------------------------------------


class StandardIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardIndicator
        fields = [
            "code",
            "name",
            "name_translations",
            "definition",
            "definition_translations",
            "category",
            "unit",
            "direction",
            "sdg_indicator",
            "source",
            "is_active",
        ]


# --- indicators ---------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    period_kind = serializers.ChoiceField(choices=ReportingPeriod.Kind.choices)
    value = value_field(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class LatestValueSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(choices=ReportingPeriod.Kind.choices)
    value = value_field(allow_null=True)
    text = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator with its targets, its latest approved total and whether it is on track
    (results.selectors explains the rule)."""

    workplan = serializers.IntegerField(read_only=True)
    team = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    standard = serializers.CharField(read_only=True, allow_null=True, help_text="Code of the standard indicator.")
    responsible_agency = serializers.CharField(read_only=True, allow_null=True)
    baseline_value = value_field(read_only=True, allow_null=True)
    targets = TargetSerializer(many=True, read_only=True)
    latest_value = LatestValueSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=[(s, s) for s in STATUSES], read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id", "output", "workplan", "team", "year", "standard", "title", "unit", "direction", "baseline_value",
            "baseline_text", "baseline_year", "means_of_verification", "responsible_agency", "by_sex", "by_age_group",
            "by_province", "sdg_indicator", "position", "targets", "latest_value", "status", "updated_at",
        ]  # fmt: skip

    def to_representation(self, indicator):
        return indicator_payloads([indicator.pk])[0]


class IndicatorWriteSerializer(serializers.ModelSerializer):
    output = ScopedPrimaryKeyField(queryset=Output.objects.all())
    standard = CodeField(slug_field="code", queryset=StandardIndicator.objects.all(), required=False, allow_null=True)
    responsible_agency = CodeField(slug_field="acronym", queryset=Agency.objects.all(), required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    baseline_value = value_field(required=False, allow_null=True)
    targets = TargetSerializer(many=True, required=False, help_text="Replaces all the indicator's targets.")

    class Meta:
        model = Indicator
        fields = [
            "output", "standard", "title", "unit", "direction", "baseline_value", "baseline_text", "baseline_year",
            "means_of_verification", "responsible_agency", "by_sex", "by_age_group", "by_province", "sdg_indicator",
            "position", "targets",
        ]  # fmt: skip


# --- values -------------------------------------------------------------------------------------


class IndicatorValueSerializer(serializers.ModelSerializer):
    workplan = serializers.IntegerField(read_only=True)
    team = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    period_kind = serializers.ChoiceField(choices=ReportingPeriod.Kind.choices, read_only=True)
    subdivision = serializers.CharField(read_only=True, allow_null=True, help_text="ISO 3166-2 code of the province.")
    value = value_field(read_only=True, allow_null=True)
    locked = serializers.BooleanField(read_only=True, help_text="The period is closed and the value not unlocked.")
    entered_by = serializers.CharField(read_only=True, allow_null=True)
    decided_by = serializers.CharField(read_only=True, allow_null=True)
    unlocked_by = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "indicator", "workplan", "team", "period", "year", "period_kind", "sex", "age_group", "subdivision",
            "value", "text", "comment", "status", "locked", "entered_by", "entered_at", "decided_by", "decided_at",
            "return_reason", "unlocked_by", "unlocked_at", "unlock_reason", "updated_at",
        ]  # fmt: skip

    def to_representation(self, value):
        return value_payloads([value.pk])[0]


class IndicatorValueWriteSerializer(serializers.ModelSerializer):
    """A value: number (a yes/no as 1 or 0) or words, by the indicator's unit; sex, age group and province
    only where the indicator is broken down by them. A correction (PUT/PATCH) changes value, text and
    comment only."""

    indicator = ScopedPrimaryKeyField(queryset=Indicator.objects.all())
    period = PrimaryKeyField(queryset=ReportingPeriod.objects.all())
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, required=False, allow_blank=True)
    subdivision = CodeField(slug_field="code", queryset=Subdivision.objects.all(), required=False, allow_null=True)
    value = value_field(required=False, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "period", "sex", "age_group", "subdivision", "value", "text", "comment"]
        # One value per period and breakdown: the service says so, naming what to do ("correct it").
        validators = []


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


# --- reporting periods ------------------------------------------------------------------------


class ReportingPeriodSerializer(serializers.ModelSerializer):
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "year",
            "kind",
            "start_date",
            "end_date",
            "due_date",
            "is_closed",
            "closed_at",
            "closed_by",
            "updated_at",
        ]


class ReportingPeriodWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "kind", "start_date", "end_date", "due_date"]


# --- evidence --------------------------------------------------------------------------------------

TARGET_CHOICES = [(name, name) for name in TARGETS]


class AttachmentSerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    is_link = serializers.BooleanField(read_only=True)
    download = serializers.SerializerMethodField(
        help_text="Where the file (or the link) is given, after the same check."
    )
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Attachment
        fields = [
            "id", "team", "target_type", "target_id", "kind", "title", "document_date", "language", "visibility",
            "description", "is_link", "url", "file_name", "file_size", "media_type", "download", "uploaded_by",
            "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=TARGET_CHOICES))
    def get_target_type(self, attachment) -> str:
        model = attachment.content_type.model_class()
        return next(name for name, (target_model, _path) in TARGETS.items() if target_model is model)

    def get_download(self, attachment) -> str:
        path = reverse("v1:attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FormNullableDateField(serializers.DateField):
    """A date that may be null; in a multipart form, where there is no null, "null" or nothing says it."""

    def to_internal_value(self, value):
        if isinstance(value, str) and value.strip() in ("", "null"):
            return None
        return super().to_internal_value(value)


class AttachmentWriteSerializer(serializers.ModelSerializer):
    """Evidence on a record: a file (multipart/form-data, checked by its content and size) or a link (url)."""

    document_date = FormNullableDateField(required=False, allow_null=True)

    target_type = serializers.ChoiceField(choices=TARGET_CHOICES)
    target_id = serializers.IntegerField(min_value=1)
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)

    class Meta:
        model = Attachment
        fields = [
            "target_type", "target_id", "kind", "title", "document_date", "language", "visibility", "description",
            "url", "file",
        ]  # fmt: skip


class AttachmentUpdateSerializer(serializers.ModelSerializer):
    """What changes on evidence: its description and who sees it (a link's address too); not its file."""

    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)

    class Meta:
        model = Attachment
        fields = ["kind", "title", "document_date", "language", "visibility", "description", "url"]
