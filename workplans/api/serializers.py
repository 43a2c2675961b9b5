from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from core.api.serializers import CodeField, MoneyField, PrimaryKeyField
from countries.models import Subdivision
from teams.models import Team
from workplans.models import (
    ACTIVITY_PLANNING_FIELDS,
    LONG_TEXT,
    ActionArea,
    Activity,
    CooperationOutcome,
    NationalFramework,
    Output,
    ProgressUpdate,
    ReportingPeriod,
    ResourceMobilised,
    SdgTarget,
    Tag,
    Workplan,
)
from workplans.selectors import activity_payloads


class ScopedPrimaryKeyField(PrimaryKeyField):
    """A reference to a team-owned record the caller may write to.

    Another team's record reads as "does not exist", so nothing about it leaks.
    """

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.editable_by(request.user) if request else queryset.none()


# --- reads -------------------------------------------------------------------------


class LatestProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["reported_on", "percent_complete", "status", "text"]


class ActivitySerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="workplan.team_id", read_only=True)
    year = serializers.IntegerField(source="workplan.year", read_only=True)
    action_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_agency = serializers.SlugRelatedField(slug_field="acronym", read_only=True)
    participating_agencies = serializers.SlugRelatedField(slug_field="acronym", many=True, read_only=True)
    sdg_targets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    subdivisions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    national_frameworks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    output = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    latest_progress = LatestProgressSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "workplan",
            "team",
            "year",
            *ACTIVITY_PLANNING_FIELDS,
            "last_progress_at",
            "latest_progress",
            "updated_at",
        ]

    def to_representation(self, activity):
        # The one shape of an activity is built by workplans.selectors.activity_payloads
        # (plain rows, a fixed number of queries); the fields above document it.
        return activity_payloads(activity_ids=[activity.pk])[0]


class WorkplanSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    country = serializers.SlugRelatedField(
        source="team.country", slug_field="iso_alpha3", read_only=True, allow_null=True
    )
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    endorsed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Workplan
        fields = [
            "id",
            "team",
            "team_name",
            "country",
            "year",
            "status",
            "summary",
            "submitted_by",
            "submitted_at",
            "endorsed_by",
            "endorsed_at",
            "amendment_number",
            "activity_count",
            "updated_at",
        ]
        extra_kwargs = {
            "amendment_number": {
                "read_only": True,
                "help_text": "The number of the amendment in force (0: as first endorsed); see /amendments/.",
            }
        }


class WorkplanDetailSerializer(WorkplanSerializer):
    activities = serializers.SerializerMethodField()

    class Meta(WorkplanSerializer.Meta):
        fields = [*WorkplanSerializer.Meta.fields, "activities"]

    @extend_schema_field(ActivitySerializer(many=True))
    def get_activities(self, workplan):
        return activity_payloads(workplan_id=workplan.pk)


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "activity",
            "reported_on",
            "period",
            "percent_complete",
            "status",
            "text",
            "author",
            "created_at",
        ]


class ResourceMobilisedSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourceMobilised
        fields = ["id", "team", "workplan", "source", "amount", "currency", "purpose", "received_on", "updated_at"]


# --- writes ------------------------------------------------------------------------


class WorkplanWriteSerializer(serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(queryset=Team.objects.all())

    class Meta:
        model = Workplan
        fields = ["team", "year", "summary"]


class ActivityWriteSerializer(serializers.ModelSerializer):
    """Field types and references; the rules across fields and states are the services'."""

    workplan = ScopedPrimaryKeyField(queryset=Workplan.objects.all())
    action_area = CodeField(slug_field="code", queryset=ActionArea.objects.all())
    lead_agency = CodeField(slug_field="acronym", queryset=Agency.objects.all())
    participating_agencies = CodeField(slug_field="acronym", many=True, queryset=Agency.objects.all(), required=False)
    sdg_targets = CodeField(slug_field="code", many=True, queryset=SdgTarget.objects.all(), required=False)
    subdivisions = CodeField(slug_field="code", many=True, queryset=Subdivision.objects.all(), required=False)
    tags = CodeField(slug_field="code", many=True, queryset=Tag.objects.all(), required=False)
    national_frameworks = PrimaryKeyField(many=True, queryset=NationalFramework.objects.all(), required=False)
    cooperation_outcome = PrimaryKeyField(queryset=CooperationOutcome.objects.all(), required=False, allow_null=True)
    output = ScopedPrimaryKeyField(queryset=Output.objects.all(), required=False, allow_null=True)
    budget_required = MoneyField(required=False)
    budget_available = MoneyField(required=False)
    budget_spent = MoneyField(required=False)
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=LONG_TEXT,
        help_text="Once the year's annual period is closed, only the Secretariat changes it, saying why here.",
    )

    class Meta:
        model = Activity
        fields = ["workplan", *ACTIVITY_PLANNING_FIELDS, "reason"]


class ProgressUpdateWriteSerializer(serializers.ModelSerializer):
    activity = ScopedPrimaryKeyField(queryset=Activity.objects.all())
    period = PrimaryKeyField(
        queryset=ReportingPeriod.objects.all(),
        required=False,
        allow_null=True,
        help_text="The report it goes into; by default the open period of the workplan's year the date falls in.",
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=LONG_TEXT,
        help_text=(
            "Once the year's annual period is closed, only the Secretariat reports into a closed period, "
            "saying why here."
        ),
    )

    class Meta:
        model = ProgressUpdate
        fields = ["activity", "reported_on", "period", "percent_complete", "status", "text", "reason"]


class ResourceMobilisedWriteSerializer(serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(queryset=Team.objects.all())
    workplan = ScopedPrimaryKeyField(queryset=Workplan.objects.all(), required=False, allow_null=True)
    amount = MoneyField()

    class Meta:
        model = ResourceMobilised
        fields = ["team", "workplan", "source", "amount", "currency", "purpose", "received_on"]


# --- dashboard (documentation of the summary's shape) ------------------------------


class MoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    required = serializers.DecimalField(max_digits=16, decimal_places=2)
    available = serializers.DecimalField(max_digits=16, decimal_places=2)
    spent = serializers.DecimalField(max_digits=16, decimal_places=2)


class RegionMoneySerializer(MoneySerializer):
    region = serializers.CharField()


class AreaMoneySerializer(MoneySerializer):
    action_area = serializers.CharField()


class RowsAsTheyAre(serializers.ListSerializer):
    """Rows the selector already built in their JSON shape (text, whole numbers and null only): passed on
    as they are instead of copied field by field, which cost about 5 ms of CPU for the dashboard's
    participation rows each time its figures change. The child still documents the shape."""

    def to_representation(self, data):
        return list(data)


class AreaStatusCountSerializer(serializers.Serializer):
    action_area = serializers.CharField()
    status = serializers.ChoiceField(choices=Activity.Status.choices)
    count = serializers.IntegerField()

    class Meta:
        list_serializer_class = RowsAsTheyAre


class ParticipationSerializer(serializers.Serializer):
    agency = serializers.CharField()
    country = serializers.CharField()
    activities = serializers.IntegerField()

    class Meta:
        list_serializer_class = RowsAsTheyAre


class WorkplansByStatusSerializer(serializers.Serializer):
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    endorsed = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    countries_with_active_team = serializers.IntegerField()
    teams = serializers.IntegerField()
    teams_with_convener = serializers.IntegerField()
    workplans_by_status = WorkplansByStatusSerializer()
    teams_without_workplan = serializers.IntegerField()
    activities_by_action_area_and_status = AreaStatusCountSerializer(many=True)
    budget_by_region = RegionMoneySerializer(many=True)
    budget_by_action_area = AreaMoneySerializer(many=True)
    participation = ParticipationSerializer(many=True)


class DashboardQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text="Year, 2000-2100; default this year."
    )
