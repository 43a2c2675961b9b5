from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core import versions
from teams.api.viewsets import TeamScopedViewSet
from workplans import endorsement, services
from workplans.filtersets import (
    ActivityFilterSet,
    ProgressUpdateFilterSet,
    ResourceMobilisedFilterSet,
    WorkplanFilterSet,
)
from workplans.models import Activity, ProgressUpdate, ResourceMobilised, Workplan
from workplans.selectors import activity_payloads_by_id

from .serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    ProgressUpdateSerializer,
    ProgressUpdateWriteSerializer,
    ResourceMobilisedSerializer,
    ResourceMobilisedWriteSerializer,
    WorkplanDetailSerializer,
    WorkplanSerializer,
    WorkplanWriteSerializer,
)
from .workflow import CommentSerializer, ReopenSerializer, ReturnSerializer

# What every answer below is built from: the workplans' own rows, and the names of teams, agencies, SDG
# targets, places and users (reference data). The same for every caller, so kept once in the answer cache.
READ_SCOPES = (versions.TEAMS, versions.WORKPLANS)


class WorkplanViewSet(TeamScopedViewSet):
    """Annual joint workplans. A GET of one workplan includes its activities.

    Team members create and edit their team's draft; the convener (or the
    Secretariat) submits it, the member agencies' signatories endorse or return it
    (joint endorsement), the Secretariat acknowledges it, with the actions below.
    """

    queryset = (
        Workplan.objects.select_related("team__country", "submitted_by", "endorsed_by")
        .annotate(activity_count=Count("activities"))
        .order_by("-year", "team__name")
    )
    cache_scopes = READ_SCOPES
    serializer_class = WorkplanSerializer
    read_serializer_class = WorkplanDetailSerializer
    write_serializer_class = WorkplanWriteSerializer
    filterset_class = WorkplanFilterSet
    search_fields = ["team__name", "team__country__name", "summary"]
    ordering_fields = ["year", "team__name", "status", "updated_at"]
    update_service = staticmethod(services.update_workplan)
    delete_service = staticmethod(services.delete_workplan)

    def get_serializer_class(self):
        if self.action == "list":
            return WorkplanSerializer
        return super().get_serializer_class()

    def answer_version_names(self, request):
        # One workplan (with its activities) is kept under that workplan's own version: a write to
        # another workplan leaves it in the cache. Lists show many workplans: the whole scope's.
        pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if self.action == "retrieve" and str(pk).isdigit():
            return versions.part_names(
                versions.TEAMS, versions.WORKPLANS, parts=[versions.part(versions.WORKPLANS, "workplan", int(pk))]
            )
        return super().answer_version_names(request)

    def get_permissions(self):
        if self.action in ("endorse", "return_"):
            return [permissions.IsAuthenticated()]  # whoever is asked to sign; the service decides
        return super().get_permissions()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("endorse", "return_"):
            # A designated signatory need not be in the team's roster: they act on the plans they are asked to sign.
            return self.queryset.filter(pk__in=endorsement.workflow_queryset(self.request.user).values("pk"))
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.create_workplan(user=self.request.user, **serializer.validated_data)

    def _transition(self, service, body_class=None, **fixed):
        values = dict(fixed)
        if body_class is not None:
            body = body_class(data=self.request.data)  # a JSON null is refused: the body is an object
            body.is_valid(raise_exception=True)
            values.update(body.validated_data)
        workplan = service(workplan=self.get_object(), user=self.request.user, precondition=self.if_match, **values)
        return Response(self.representation(self.reload(workplan)))

    @extend_schema(request=CommentSerializer, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft for endorsement (convener or Secretariat): each member agency's signatory is
        asked (see /endorsement-rounds/). While an amendment is open, this submits the amendment."""
        return self._transition(endorsement.submit_workplan, CommentSerializer)

    @extend_schema(request=CommentSerializer, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """Endorse a submitted workplan for the member agencies you sign for; it is endorsed once every
        agency has. The Secretariat records the answers of the agencies still to answer, on their behalf.
        A plan submitted before joint endorsement is endorsed by its convener alone."""
        return self._transition(endorsement.endorse_workplan, CommentSerializer)

    @extend_schema(request=ReturnSerializer, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Return a submitted workplan to its team with a reason (a signatory, its convener, the Secretariat):
        it is a draft again."""
        return self._transition(endorsement.return_workplan, ReturnSerializer)

    @extend_schema(request=CommentSerializer, responses=WorkplanDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The Secretariat acknowledges an endorsed workplan."""
        return self._transition(endorsement.acknowledge_workplan, CommentSerializer)

    @extend_schema(request=ReopenSerializer, responses=WorkplanDetailSerializer, deprecated=True)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Deprecated: withdraw a submitted workplan back to draft (use `return`, with a reason). An endorsed
        workplan is no longer reopened: start an amendment (/amendments/); this answers 409 saying so."""
        return self._transition(endorsement.reopen_workplan, ReopenSerializer)


class ActivityViewSet(TeamScopedViewSet):
    """Activities of workplans, with their money, places and latest progress.

    Planning fields change while the workplan is a draft; afterwards team
    members may still update status, budget available and budget spent.
    """

    queryset = Activity.objects.order_by("workplan_id", "start_date", "id")
    cache_scopes = READ_SCOPES
    serializer_class = ActivitySerializer
    read_serializer_class = ActivitySerializer
    write_serializer_class = ActivityWriteSerializer
    filterset_class = ActivityFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["title", "start_date", "end_date", "budget_required", "status", "updated_at", "last_progress_at"]
    update_service = staticmethod(services.update_activity)
    delete_service = staticmethod(services.delete_activity)
    # ActivityFilterSet narrows nothing unless a filter is given: `?page_size=500` skips building it.
    plain_list_skips_filters = True

    def list(self, request, *args, **kwargs):
        # Filter and page on ids, then take the page's rows from each workplan's, kept in the cache under
        # that workplan's version (selectors.activity_payloads_by_id): a write rebuilds one workplan's rows.
        pairs = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", "workplan_id"))
        return self.get_paginated_response(activity_payloads_by_id(list(pairs)))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)  # a new activity belongs to a draft: no closed period to give a reason for
        serializer.instance = services.create_activity(workplan=data.pop("workplan"), user=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.update_activity(
            pk=serializer.instance.pk,
            user=self.request.user,
            data=data,
            precondition=self.if_match,
            reason=data.pop("reason", ""),
        )


class ProgressUpdateViewSet(TeamScopedViewSet):
    """Progress reported on activities, newest first. Reporting sets the activity's status."""

    queryset = ProgressUpdate.objects.select_related("author").order_by("-reported_on", "-id")
    cache_scopes = READ_SCOPES
    serializer_class = ProgressUpdateSerializer
    read_serializer_class = ProgressUpdateSerializer
    write_serializer_class = ProgressUpdateWriteSerializer
    filterset_class = ProgressUpdateFilterSet
    search_fields = ["text"]
    ordering_fields = ["reported_on", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.add_progress_update(
            activity=data.pop("activity"), user=self.request.user, **data
        )


class ResourceMobilisedViewSet(TeamScopedViewSet):
    """Money teams raised jointly: source, amount, purpose."""

    queryset = ResourceMobilised.objects.order_by("-received_on", "-id")
    cache_scopes = READ_SCOPES
    serializer_class = ResourceMobilisedSerializer
    read_serializer_class = ResourceMobilisedSerializer
    write_serializer_class = ResourceMobilisedWriteSerializer
    filterset_class = ResourceMobilisedFilterSet
    search_fields = ["source", "purpose"]
    ordering_fields = ["received_on", "amount"]
    update_service = staticmethod(services.update_resources)
    delete_service = staticmethod(services.delete_resources)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.record_resources(user=self.request.user, team=data.pop("team"), data=data)
