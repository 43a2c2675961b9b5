from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as rules
from unnutrition.api.conditional import ConditionalMixin
from unnutrition.api.viewsets import TeamScopedViewSet
from workplans import services
from workplans.filtersets import (
    ActivityFilterSet,
    ProgressUpdateFilterSet,
    ResourceMobilisedFilterSet,
    WorkplanFilterSet,
)
from workplans.models import Activity, ProgressUpdate, ResourceMobilised, Workplan
from workplans.selectors import dashboard_summary
from workplans.services import PROGRESS_FIELDS

from .serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    DashboardQuerySerializer,
    DashboardSerializer,
    ProgressUpdateSerializer,
    ProgressUpdateWriteSerializer,
    ResourceMobilisedSerializer,
    ResourceMobilisedWriteSerializer,
    WorkplanDetailSerializer,
    WorkplanSerializer,
    WorkplanWriteSerializer,
)


def activity_queryset():
    return Activity.objects.select_related("workplan", "action_area", "lead_agency").prefetch_related(
        "participating_agencies",
        "sdg_targets",
        "subdivisions",
        "national_frameworks",
        Prefetch("progress_updates", queryset=ProgressUpdate.objects.order_by("-reported_on", "-id")),
    )


class WorkplanViewSet(TeamScopedViewSet):
    """Annual joint workplans. A GET of one workplan includes its activities.

    Team members create and edit their team's draft; the convener (or the
    Secretariat) submits, endorses and reopens it with the actions below.
    """

    queryset = (
        Workplan.objects.select_related("team__country", "submitted_by", "endorsed_by")
        .annotate(activity_count=Count("activities"))
        .order_by("-year", "team__name")
    )
    serializer_class = WorkplanSerializer
    read_serializer_class = WorkplanDetailSerializer
    write_serializer_class = WorkplanWriteSerializer
    filterset_class = WorkplanFilterSet
    search_fields = ["team__name", "team__country__name", "summary"]
    ordering_fields = ["year", "team__name", "status", "updated_at"]
    write_rule = "can_edit_workplan"

    def get_serializer_class(self):
        if self.action == "list":
            return WorkplanSerializer
        return super().get_serializer_class()

    def allows_write(self, user, obj):
        if self.action in ("submit", "endorse", "reopen"):
            return True  # the service checks, with a message saying why not
        return super().allows_write(user, obj)

    def perform_create(self, serializer):
        team = serializer.validated_data["team"]
        if not rules.can_edit_team_roster(self.request.user, team):
            raise PermissionDenied("You cannot create workplans for this team.")
        serializer.save()

    def _transition(self, service):
        workplan = self.get_object()
        service(workplan=workplan, user=self.request.user)
        return Response(self.representation(self.reload(workplan)))

    @extend_schema(request=None, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft for endorsement (convener or Secretariat)."""
        return self._transition(services.submit_workplan)

    @extend_schema(request=None, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """Endorse a submitted workplan (convener or Secretariat)."""
        return self._transition(services.endorse_workplan)

    @extend_schema(request=None, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Return a submitted or endorsed workplan to draft (convener or Secretariat)."""
        return self._transition(services.reopen_workplan)


class ActivityViewSet(TeamScopedViewSet):
    """Activities of workplans, with their money, places and latest progress.

    Planning fields change while the workplan is a draft; afterwards team
    members may still update status, budget available and budget spent.
    """

    queryset = activity_queryset().order_by("workplan_id", "start_date", "id")
    serializer_class = ActivitySerializer
    read_serializer_class = ActivitySerializer
    write_serializer_class = ActivityWriteSerializer
    filterset_class = ActivityFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["start_date", "end_date", "budget_required", "status", "updated_at", "last_progress_at"]
    team_path = "workplan__team"

    def allows_write(self, user, obj):
        if self.action in ("update", "partial_update"):
            return rules.can_report_progress(user, obj)
        return rules.can_edit_workplan(user, obj.workplan)

    def perform_create(self, serializer):
        workplan = serializer.validated_data["workplan"]
        if not rules.can_edit_workplan(self.request.user, workplan):
            raise PermissionDenied(
                f"This workplan is {workplan.get_status_display().lower()}: activities are added to drafts only."
            )
        serializer.save()

    def perform_update(self, serializer):
        activity = serializer.instance
        if not rules.can_edit_workplan(self.request.user, activity.workplan):
            changed = sorted(
                name
                for name, value in serializer.validated_data.items()
                if name not in PROGRESS_FIELDS and not self._same(activity, name, value)
            )
            if changed:
                raise PermissionDenied(
                    f"The workplan is {activity.workplan.get_status_display().lower()}: only status, budget "
                    f"available and budget spent can change now, not {', '.join(changed)}."
                )
        serializer.save()

    @staticmethod
    def _same(activity, name, value):
        current = getattr(activity, name)
        if hasattr(current, "all"):
            return {o.pk for o in current.all()} == {o.pk for o in value}
        return current == value


class ProgressUpdateViewSet(TeamScopedViewSet):
    """Progress reported on activities, newest first. Reporting sets the activity's status."""

    queryset = ProgressUpdate.objects.select_related("author").order_by("-reported_on", "-id")
    serializer_class = ProgressUpdateSerializer
    read_serializer_class = ProgressUpdateSerializer
    write_serializer_class = ProgressUpdateWriteSerializer
    filterset_class = ProgressUpdateFilterSet
    search_fields = ["text"]
    ordering_fields = ["reported_on", "created_at"]
    team_path = "activity__workplan__team"
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.add_progress_update(
            activity=data.pop("activity"), user=self.request.user, **data
        )


class ResourceMobilisedViewSet(TeamScopedViewSet):
    """Money teams raised jointly: source, amount, purpose."""

    queryset = ResourceMobilised.objects.order_by("-received_on", "-id")
    serializer_class = ResourceMobilisedSerializer
    read_serializer_class = ResourceMobilisedSerializer
    write_serializer_class = ResourceMobilisedWriteSerializer
    filterset_class = ResourceMobilisedFilterSet
    search_fields = ["source", "purpose"]
    ordering_fields = ["received_on", "amount"]
    write_rule = "can_edit_team_roster"

    def perform_create(self, serializer):
        if not rules.can_edit_team_roster(self.request.user, serializer.validated_data["team"]):
            raise PermissionDenied("You cannot record resources for this team.")
        serializer.save()


class DashboardView(ConditionalMixin, APIView):
    """The Secretariat dashboard's figures for one year (default: this year)."""

    @extend_schema(parameters=[DashboardQuerySerializer], responses=DashboardSerializer)
    def get(self, request):
        if request.query_params.get("year") == "":
            raise ValidationError({"year": ["Enter a year from 2000 to 2100, or leave the parameter out."]})
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        return Response(DashboardSerializer(dashboard_summary(year)).data)
