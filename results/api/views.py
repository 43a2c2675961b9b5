"""/api/v1/outputs/, /indicators/, /indicator-values/, /reporting-periods/, /attachments/, /standard-indicators/.

Scoped and conditional like the rest (teams.api.viewsets.TeamScopedViewSet): everyone signed in reads,
a team's people and the Secretariat write through the services; another team's record answers 404 to a
writer, a viewer 403; changes need If-Match (428 without, 412 when stale)."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core import versions
from core.api.filters import KnownParametersFilter, StrictOrderingFilter
from core.api.parsers import JSONParser
from core.api.viewsets import ReadOnlyViewSet
from core.services import StateConflict
from teams.api.permissions import PortalPermission
from teams.api.views import contacts_key
from teams.api.viewsets import TeamScopedViewSet
from workplans import services as workplan_services
from workplans.models import Output, ReportingPeriod

from .. import selectors, services
from ..filtersets import (
    AttachmentFilterSet,
    IndicatorFilterSet,
    IndicatorValueFilterSet,
    OutputFilterSet,
    ReportingPeriodFilterSet,
    StandardIndicatorFilterSet,
)
from ..models import Attachment, Indicator, IndicatorValue, StandardIndicator
from .serializers import (
    AttachmentSerializer,
    AttachmentUpdateSerializer,
    AttachmentWriteSerializer,
    DecisionReasonSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    IndicatorValueWriteSerializer,
    IndicatorWriteSerializer,
    OutputSerializer,
    OutputWriteSerializer,
    ReportingPeriodSerializer,
    ReportingPeriodWriteSerializer,
    StandardIndicatorSerializer,
)

# What the answers are built from: results and workplans, and names of teams and reference data.
READ_SCOPES = (versions.TEAMS, versions.WORKPLANS)


class OutputViewSet(TeamScopedViewSet):
    """Joint outputs of workplans (typically two to five a plan): their activities and indicators belong to
    them. Planned while the workplan is a draft, by its team or the Secretariat."""

    queryset = Output.objects.select_related("workplan", "action_area").order_by("workplan_id", "position", "id")
    cache_scopes = READ_SCOPES
    serializer_class = OutputSerializer
    read_serializer_class = OutputSerializer
    write_serializer_class = OutputWriteSerializer
    filterset_class = OutputFilterSet
    search_fields = ["title", "description", "national_objective"]
    ordering_fields = ["position", "title", "updated_at"]
    update_service = staticmethod(workplan_services.update_output)
    delete_service = staticmethod(workplan_services.delete_output)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = workplan_services.create_output(
            workplan=data.pop("workplan"), user=self.request.user, data=data
        )


class IndicatorViewSet(TeamScopedViewSet):
    """Indicators of outputs: baseline, targets per period (`targets` replaces them all when sent), latest
    approved value and status (on_track, off_track, no_data, not_rated). A standard indicator (`standard`,
    a code of /standard-indicators/) keeps the catalogue's unit, direction and SDG number."""

    queryset = Indicator.objects.order_by("output__workplan_id", "output__position", "position", "id")
    cache_scopes = READ_SCOPES
    serializer_class = IndicatorSerializer
    read_serializer_class = IndicatorSerializer
    write_serializer_class = IndicatorWriteSerializer
    filterset_class = IndicatorFilterSet
    search_fields = ["title", "means_of_verification"]
    ordering_fields = ["position", "title", "updated_at"]
    delete_service = staticmethod(services.delete_indicator)

    def list(self, request, *args, **kwargs):
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", flat=True))
        return self.get_paginated_response(selectors.indicator_payloads(list(ids)))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        targets = data.pop("targets", None)
        serializer.instance = services.create_indicator(
            output=data.pop("output"), user=self.request.user, data=data, targets=targets
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        targets = data.pop("targets", None)
        serializer.instance = services.update_indicator(
            pk=serializer.instance.pk, user=self.request.user, data=data, targets=targets, precondition=self.if_match
        )


class IndicatorValueViewSet(TeamScopedViewSet):
    """Actual values of indicators per reporting period (a total, or a breakdown by sex, age group or
    province where the indicator has them). Entered by the team, then approved or returned (with a reason)
    by its convener or the Secretariat, never by whoever entered it; locked once the period closes, unless
    the Secretariat unlocks one, saying why."""

    queryset = IndicatorValue.objects.order_by("indicator_id", "period__end_date", "sex", "age_group", "id")
    cache_scopes = READ_SCOPES
    serializer_class = IndicatorValueSerializer
    read_serializer_class = IndicatorValueSerializer
    write_serializer_class = IndicatorValueWriteSerializer
    filterset_class = IndicatorValueFilterSet
    search_fields = ["text", "comment"]
    ordering_fields = ["entered_at", "decided_at", "updated_at"]
    update_service = staticmethod(services.correct_value)
    delete_service = staticmethod(services.delete_value)

    def cache_variant(self, request) -> str:
        # Values not approved yet are read only by their team's people and the Secretariat
        # (IndicatorValue.objects.visible_to): one cached answer per set of teams a caller works for.
        return contacts_key(request.user)

    def list(self, request, *args, **kwargs):
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", flat=True))
        return self.get_paginated_response(selectors.value_payloads(list(ids)))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.enter_value(
            indicator=data.pop("indicator"), period=data.pop("period"), user=self.request.user, data=data
        )

    def _decide(self, service, **kwargs):
        value = service(pk=self.get_object().pk, user=self.request.user, precondition=self.if_match, **kwargs)
        return Response(self.representation(self.reload(value)))

    def _reason(self, request) -> str:
        serializer = DecisionReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]

    @extend_schema(request=None, responses=IndicatorValueSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a value awaiting approval (the team's convener or the Secretariat; not whoever entered it)."""
        return self._decide(services.approve_value)

    @extend_schema(request=DecisionReasonSerializer, responses=IndicatorValueSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Return a value awaiting approval to the team, saying why."""
        return self._decide(services.return_value, reason=self._reason(request))

    @extend_schema(request=DecisionReasonSerializer, responses=IndicatorValueSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Unlock a value of a closed period for correction (the Secretariat, saying why)."""
        return self._decide(services.unlock_value, reason=self._reason(request))


class SecretariatWritesPermission(PortalPermission):
    """Reads for everyone signed in; writes for the Secretariat (the service says so to anyone else)."""


class ReportingPeriodViewSet(TeamScopedViewSet):
    """The reporting periods the Secretariat sets for each year (mid_year, annual) with their due dates.
    Closing one locks its values; reopening needs a reason, kept in its history."""

    queryset = ReportingPeriod.objects.select_related("closed_by").order_by("-year", "end_date", "kind")
    cache_scopes = READ_SCOPES
    permission_classes = [SecretariatWritesPermission]
    serializer_class = ReportingPeriodSerializer
    read_serializer_class = ReportingPeriodSerializer
    write_serializer_class = ReportingPeriodWriteSerializer
    filterset_class = ReportingPeriodFilterSet
    # Nothing to search in: filters and ordering only.
    filter_backends = [KnownParametersFilter, DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["year", "end_date", "due_date"]
    update_service = staticmethod(workplan_services.update_period)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = self.queryset.all()
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            workplan_services.check_manage_periods(self.request.user)
        return queryset

    def perform_create(self, serializer):
        serializer.instance = workplan_services.create_period(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def create(self, request, *args, **kwargs):
        workplan_services.check_manage_periods(request.user)
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses=ReportingPeriodSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the period: its values are locked."""
        period = workplan_services.close_period(pk=self.get_object().pk, user=request.user, precondition=self.if_match)
        return Response(self.representation(self.reload(period)))

    @extend_schema(request=DecisionReasonSerializer, responses=ReportingPeriodSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open a closed period again, saying why."""
        serializer = DecisionReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = workplan_services.reopen_period(
            pk=self.get_object().pk,
            user=request.user,
            reason=serializer.validated_data["reason"],
            precondition=self.if_match,
        )
        return Response(self.representation(self.reload(period)))


class AttachmentViewSet(TeamScopedViewSet):
    """Evidence (files and links) on workplans, outputs, indicator values, progress updates and teams.

    Create with multipart/form-data to send a `file` (its type is judged by its content, up to the size
    limit) or with JSON and a `url`. Each is visible to the team and the Secretariat, to UN users, or to
    the public (`visibility`); a file is given only through `download`, after the same check."""

    queryset = Attachment.objects.select_related("content_type", "uploaded_by").order_by("-document_date", "-id")
    serializer_class = AttachmentSerializer
    read_serializer_class = AttachmentSerializer
    write_serializer_class = AttachmentWriteSerializer
    filterset_class = AttachmentFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["document_date", "created_at", "title"]
    update_service = staticmethod(services.update_attachment)
    delete_service = staticmethod(services.delete_attachment)

    def get_parsers(self):
        # Files come with the creation only (POST to the list); changes are JSON. Asked before DRF sets
        # `action`, so by the request itself.
        request = getattr(self, "request", None)
        creating = getattr(self, "action", None) == "create" or (
            request is not None and request.method == "POST" and not self.kwargs.get(self.lookup_field)
        )
        if creating:
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def get_serializer_class(self):
        if self.request is not None and self.request.method in ("PUT", "PATCH"):
            return AttachmentUpdateSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        if self.request is not None and self.request.method in permissions.SAFE_METHODS:
            if self.action == "list":
                return (
                    selectors.visible_attachments(self.request.user)
                    .select_related("content_type", "uploaded_by")
                    .order_by("-document_date", "-id")
                )
            return self.queryset.all()
        return super().get_queryset()

    def get_object(self):
        attachment = super().get_object()
        if self.request.method in permissions.SAFE_METHODS:
            # Someone outside the team asking for team-only evidence: told so, rather than "no such record".
            services.check_view_attachment(self.request.user, attachment)
        return attachment

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        target_type, target_id = data.pop("target_type"), data.pop("target_id")
        model = services.TARGETS[target_type][0]
        target = model._default_manager.filter(pk=target_id).first()
        scoped = getattr(model._default_manager, "editable_by", None)
        if target is None or (scoped is not None and not scoped(self.request.user).filter(pk=target_id).exists()):
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {
                    "target_id": [
                        _("There is no %(type)s %(id)s you can add evidence to.")
                        % {"type": target_type, "id": target_id}
                    ]
                }
            )
        upload = data.pop("file", None)
        serializer.instance = services.add_attachment(user=self.request.user, target=target, data=data, upload=upload)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            409: OpenApiResponse(description="The evidence is a link, not a file: its address is in `url`."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file, after the same check as the record (never from a public address)."""
        attachment = self.get_object()
        if attachment.is_link:
            raise StateConflict(_("This evidence is a link, not a file: its address is in url."), "link")
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The file of this evidence is missing from the server.")) from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.file_name or "evidence",
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class StandardIndicatorViewSet(ReadOnlyViewSet):
    """The Secretariat's catalogue of standard indicators, names in the six UN languages."""

    queryset = StandardIndicator.objects.order_by("position", "code")
    serializer_class = StandardIndicatorSerializer
    lookup_field = "code"
    cache_scopes = (versions.TEAMS,)
    filterset_class = StandardIndicatorFilterSet
    search_fields = ["name", "definition"]
    ordering_fields = ["position", "code", "name"]
    pagination_class = None

    def get_queryset(self):
        return self.queryset.all()
