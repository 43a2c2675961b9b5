import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import editable_team_ids
from agencies.models import Agency
from countries.models import Subdivision
from teams.models import Team
from unnutrition.api.serializers import ModelValidationMixin
from workplans.models import (
    ActionArea,
    Activity,
    CooperationOutcome,
    NationalFramework,
    ProgressUpdate,
    ResourceMobilised,
    SdgTarget,
    Workplan,
)


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
            "title",
            "description",
            "action_area",
            "lead_agency",
            "participating_agencies",
            "sdg_targets",
            "national_frameworks",
            "cooperation_outcome",
            "is_national",
            "subdivisions",
            "start_date",
            "end_date",
            "currency",
            "budget_required",
            "budget_available",
            "budget_spent",
            "status",
            "last_progress_at",
            "latest_progress",
            "updated_at",
        ]

    @extend_schema_field(LatestProgressSerializer(allow_null=True))
    def get_latest_progress(self, activity):
        updates = activity.progress_updates.all()  # prefetched, newest first
        return LatestProgressSerializer(updates[0]).data if updates else None


class WorkplanSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    country = serializers.SlugRelatedField(source="team.country", slug_field="iso_alpha3", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    endorsed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta(WorkplanSerializer.Meta):
        fields = [*WorkplanSerializer.Meta.fields, "activities"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

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

    class Meta:
        model = Activity
        fields = [
            "workplan",
            "title",
            "description",
            "action_area",
            "lead_agency",
            "participating_agencies",
            "sdg_targets",
            "national_frameworks",
            "cooperation_outcome",
            "is_national",
            "subdivisions",
            "start_date",
            "end_date",
            "currency",
            "budget_required",
            "budget_available",
            "budget_spent",
            "status",
        ]

    def validate_workplan(self, workplan):
        if self.instance is not None and workplan != self.instance.workplan:
            raise serializers.ValidationError("An activity cannot move to another workplan.")
        return workplan

    def validate(self, attrs):
        attrs = super().validate(attrs)
        get = lambda name: attrs.get(name, getattr(self.instance, name, None))  # noqa: E731
        errors = {}
        workplan = get("workplan")
        subdivisions = attrs.get("subdivisions")
        if subdivisions is None and self.instance is not None:
            subdivisions = list(self.instance.subdivisions.all())
        subdivisions = subdivisions or []
        country_id = workplan.team.country_id if workplan else None
        if get("is_national") is not False and subdivisions and "subdivisions" in attrs:
            errors["subdivisions"] = ["A national activity names no provinces: set is_national to false."]
        elif get("is_national") is False and not subdivisions:
            errors["subdivisions"] = ["Name at least one province, or set is_national to true."]
        outside = [s.code for s in subdivisions if country_id and s.country_id != country_id]
        if outside:
            errors["subdivisions"] = [f"Not in this team's country: {', '.join(outside)}."]
        frameworks = attrs.get("national_frameworks") or []
        foreign = [str(f.pk) for f in frameworks if country_id and f.country_id != country_id]
        if foreign:
            errors["national_frameworks"] = [f"Not frameworks of this team's country: {', '.join(foreign)}."]
        lead = get("lead_agency")
        if lead and lead in (attrs.get("participating_agencies") or []):
            errors["participating_agencies"] = ["The lead agency is not also listed as participating."]
        if workplan and get("start_date") and get("start_date") > dt.date(workplan.year, 12, 31):
            errors["start_date"] = [f"The activity must start during or before {workplan.year}."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ProgressUpdateWriteSerializer(serializers.ModelSerializer):
    activity = ScopedPrimaryKeyField(team_path="workplan__team", queryset=Activity.objects.all())

    class Meta:
        model = ProgressUpdate
        fields = ["activity", "reported_on", "percent_complete", "status", "text"]

    def validate_reported_on(self, value):
        from django.utils import timezone

        if value > timezone.localdate():
            raise serializers.ValidationError("Progress cannot be reported for a future date.")
        return value


class ResourceMobilisedWriteSerializer(ModelValidationMixin, serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(team_path="pk", queryset=Team.objects.all())
    workplan = ScopedPrimaryKeyField(team_path="team", queryset=Workplan.objects.all(), required=False, allow_null=True)

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
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
