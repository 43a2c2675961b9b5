from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import editable_team_ids
from agencies.models import Agency
from countries.models import Subdivision
from teams.models import Team
from unnutrition.api.serializers import ModelValidationMixin, MoneyField, iso_datetime, money
from workplans.models import (
    ACTIVITY_PLANNING_FIELDS,
    ActionArea,
    Activity,
    CooperationOutcome,
    NationalFramework,
    ProgressUpdate,
    ResourceMobilised,
    SdgTarget,
    Workplan,
)
from workplans.selectors import activity_payloads
from workplans.validation import activity_problems


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to a team-owned record the caller may write to.

    Another team's record reads as "does not exist", so nothing about it leaks.
    `team_path` reaches the team from the referenced model.
    """

    def __init__(self, team_path, **kwargs):
        self.team_path = team_path
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        team_ids = editable_team_ids(request.user) if request else frozenset()
        if team_ids is None:
            return queryset
        return queryset.filter(**{f"{self.team_path}__in": team_ids})


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
    latest_progress = serializers.SerializerMethodField()

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

    # Built directly from the prefetched rows: a workplan page has ~40 activities
    # and the nested field machinery was most of its cost. The fields declared
    # above document the same shape (checked by schemathesis).
    def to_representation(self, activity):
        updates = activity.progress_updates.all()  # prefetched, newest first
        latest = updates[0] if updates else None
        return {
            "id": activity.pk,
            "workplan": activity.workplan_id,
            "team": activity.workplan.team_id,
            "year": activity.workplan.year,
            "title": activity.title,
            "description": activity.description,
            "action_area": activity.action_area.code,
            "lead_agency": activity.lead_agency.acronym,
            "participating_agencies": [agency.acronym for agency in activity.participating_agencies.all()],
            "sdg_targets": [target.code for target in activity.sdg_targets.all()],
            "national_frameworks": [framework.pk for framework in activity.national_frameworks.all()],
            "cooperation_outcome": activity.cooperation_outcome_id,
            "is_national": activity.is_national,
            "subdivisions": [subdivision.code for subdivision in activity.subdivisions.all()],
            "start_date": activity.start_date.isoformat(),
            "end_date": activity.end_date.isoformat(),
            "currency": activity.currency,
            "budget_required": money(activity.budget_required),
            "budget_available": money(activity.budget_available),
            "budget_spent": money(activity.budget_spent),
            "status": activity.status,
            "last_progress_at": iso_datetime(activity.last_progress_at),
            "latest_progress": {
                "reported_on": latest.reported_on.isoformat(),
                "percent_complete": latest.percent_complete,
                "status": latest.status,
                "text": latest.text,
            }
            if latest
            else None,
            "updated_at": iso_datetime(activity.updated_at),
        }

    @extend_schema_field(LatestProgressSerializer(allow_null=True))
    def get_latest_progress(self, activity):
        updates = activity.progress_updates.all()  # prefetched, newest first
        return LatestProgressSerializer(updates[0]).data if updates else None


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
            "activity_count",
            "updated_at",
        ]


class WorkplanDetailSerializer(WorkplanSerializer):
    activities = serializers.SerializerMethodField()

    class Meta(WorkplanSerializer.Meta):
        fields = [*WorkplanSerializer.Meta.fields, "activities"]

    @extend_schema_field(ActivitySerializer(many=True))
    def get_activities(self, workplan):
        # Read as plain rows (workplans.selectors), not through a prefetch and
        # ActivitySerializer: the same shape in a fraction of the time.
        return activity_payloads(workplan.pk)


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "activity", "reported_on", "percent_complete", "status", "text", "author", "created_at"]


class ResourceMobilisedSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourceMobilised
        fields = ["id", "team", "workplan", "source", "amount", "currency", "purpose", "received_on", "updated_at"]


# --- writes ------------------------------------------------------------------------


class WorkplanWriteSerializer(ModelValidationMixin, serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(team_path="pk", queryset=Team.objects.all())

    class Meta:
        model = Workplan
        fields = ["team", "year", "summary"]

    def validate_team(self, team):
        if self.instance is not None and team != self.instance.team:
            raise serializers.ValidationError("A workplan cannot move to another team.")
        return team


class ActivityWriteSerializer(ModelValidationMixin, serializers.ModelSerializer):
    workplan = ScopedPrimaryKeyField(team_path="team", queryset=Workplan.objects.all())
    action_area = serializers.SlugRelatedField(slug_field="code", queryset=ActionArea.objects.all())
    lead_agency = serializers.SlugRelatedField(slug_field="acronym", queryset=Agency.objects.all())
    participating_agencies = serializers.SlugRelatedField(
        slug_field="acronym", many=True, queryset=Agency.objects.all(), required=False
    )
    sdg_targets = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=SdgTarget.objects.all(), required=False
    )
    subdivisions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Subdivision.objects.all(), required=False
    )
    national_frameworks = serializers.PrimaryKeyRelatedField(
        many=True, queryset=NationalFramework.objects.all(), required=False
    )
    cooperation_outcome = serializers.PrimaryKeyRelatedField(
        queryset=CooperationOutcome.objects.all(), required=False, allow_null=True
    )
    budget_required = MoneyField(required=False)
    budget_available = MoneyField(required=False)
    budget_spent = MoneyField(required=False)

    class Meta:
        model = Activity
        fields = ["workplan", *ACTIVITY_PLANNING_FIELDS]

    def validate_workplan(self, workplan):
        if self.instance is not None and workplan != self.instance.workplan:
            raise serializers.ValidationError("An activity cannot move to another workplan.")
        return workplan

    def validate(self, attrs):
        attrs = super().validate(attrs)

        def get(name):
            if name in attrs:
                return attrs[name]
            if self.instance is None:
                return None
            value = getattr(self.instance, name)
            return list(value.all()) if hasattr(value, "all") else value

        is_national = get("is_national")
        # A PATCH that only unticks national coverage must still name provinces.
        errors = activity_problems(
            workplan=get("workplan"),
            is_national=True if is_national is None else is_national,
            subdivisions=get("subdivisions") if ("subdivisions" in attrs or is_national is False) else [],
            frameworks=attrs.get("national_frameworks"),
            lead_agency=get("lead_agency"),
            participating=attrs.get("participating_agencies"),
            start_date=get("start_date"),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ProgressUpdateWriteSerializer(serializers.ModelSerializer):
    activity = ScopedPrimaryKeyField(team_path="workplan__team", queryset=Activity.objects.all())

    class Meta:
        model = ProgressUpdate
        fields = ["activity", "reported_on", "percent_complete", "status", "text"]


class ResourceMobilisedWriteSerializer(ModelValidationMixin, serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(team_path="pk", queryset=Team.objects.all())
    workplan = ScopedPrimaryKeyField(team_path="team", queryset=Workplan.objects.all(), required=False, allow_null=True)
    amount = MoneyField()

    class Meta:
        model = ResourceMobilised
        fields = ["team", "workplan", "source", "amount", "currency", "purpose", "received_on"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        team = attrs.get("team", getattr(self.instance, "team", None))
        workplan = attrs.get("workplan", getattr(self.instance, "workplan", None))
        if workplan is not None and workplan.team_id != team.pk:
            raise serializers.ValidationError({"workplan": ["This workplan belongs to another team."]})
        return attrs


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


class AreaStatusCountSerializer(serializers.Serializer):
    action_area = serializers.CharField()
    status = serializers.ChoiceField(choices=Activity.Status.choices)
    count = serializers.IntegerField()


class ParticipationSerializer(serializers.Serializer):
    agency = serializers.CharField()
    country = serializers.CharField()
    activities = serializers.IntegerField()


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
