"""The exchange through the API: upload a workplan's XLSX (preview), confirm it, undo it; download the
template, the UN INFO sheet and the IATI XML of a workplan."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from teams.api.viewsets import TeamScopedViewSet
from teams.models import Team
from teams.rules import view_team_contacts
from workplans.models import Workplan

from .. import iati, roster_sheet, services, uninfo, workplan_sheet
from ..filtersets import ImportBatchFilterSet
from ..models import ImportBatch
from ..views import XLSX, attachment, file_stem, roster_stem
from ..xlsx import FileRefused, read_upload
from .serializers import ImportBatchSerializer, ImportUploadSerializer, RosterUploadSerializer


class ImportBatchViewSet(TeamScopedViewSet):
    """Imports of workplan spreadsheets. POST a file (multipart/form-data: `workplan`, `file`,
    `delete_missing`) to get its preview: per row what would be created, changed (old -> new), deleted
    or refused, graded critical / error / warning; nothing is saved. `confirm/` saves exactly that (only
    without errors), `undo/` puts the workplan back as it was. Only the team's people and the Secretariat
    see a team's imports."""

    queryset = ImportBatch.objects.select_related("uploaded_by", "undone_by").order_by("-created_at", "-id")
    serializer_class = ImportBatchSerializer
    read_serializer_class = ImportBatchSerializer
    write_serializer_class = ImportUploadSerializer
    filterset_class = ImportBatchFilterSet
    ordering_fields = ["created_at"]
    search_fields = ["file_name"]
    http_method_names = ["get", "post", "head", "options"]

    def get_parsers(self):
        if getattr(self, "action", None) in ("create", "roster") or (
            self.request and self.request.method == "POST" and self.kwargs.get("pk") is None
        ):
            return [MultiPartParser()]
        return super().get_parsers()

    def get_queryset(self):
        # Imports hold a team's working files: its people and the Secretariat only, for reads too.
        return self.queryset.editable_by(self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportBatchSerializer, 400: OpenApiResponse(description="The file cannot be used: why.")},
    )
    def create(self, request, *args, **kwargs):
        serializer = ImportUploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            batch = services.preview_workplan_import(
                workplan=serializer.validated_data["workplan"],
                user=request.user,
                file_name=upload.name,
                data=read_upload(upload),
                delete_missing=serializer.validated_data["delete_missing"],
            )
        except FileRefused as refusal:
            return Response({"file": [refusal.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.representation(batch), status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": RosterUploadSerializer},
        responses={201: ImportBatchSerializer, 400: OpenApiResponse(description="The file cannot be used: why.")},
    )
    @action(detail=False, methods=["post"], url_path="roster")
    def roster(self, request):
        """Upload a team's roster XLSX (multipart/form-data: `team`, `file`, `delete_missing`) to get its
        preview; the Secretariat and the team's conveners only. Confirm and undo as any import."""
        serializer = RosterUploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            batch = services.preview_roster_import(
                team=serializer.validated_data["team"],
                user=request.user,
                file_name=upload.name,
                data=read_upload(upload),
                delete_missing=serializer.validated_data["delete_missing"],
            )
        except FileRefused as refusal:
            return Response({"file": [refusal.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.representation(batch), status=status.HTTP_201_CREATED)

    def _act(self, service):
        batch = service(pk=self.get_object().pk, user=self.request.user, precondition=self.if_match)
        return Response(self.representation(self.reload(batch)))

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Save the previewed changes through the workplans' services, as one change (send If-Match)."""
        return self._act(services.confirm_import)

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Put every record the import touched back as it was (send If-Match)."""
        return self._act(services.undo_import)


# The workplan's or the team's id: a whole number (anything else answers 404).
FILE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class WorkplanFilesViewSet(viewsets.GenericViewSet):
    """Files of a workplan: the Excel template to edit and upload again, the UN INFO sheet, IATI XML."""

    queryset = Workplan.objects.select_related("team__country")
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []
    pagination_class = None
    lookup_value_regex = "[0-9]+"  # an id that is not a whole number answers 404, not 500

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(parameters=[FILE_ID], responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="template")
    def template(self, request, pk=None):
        """The workplan as an XLSX template in the caller's language (Accept-Language)."""
        workplan = get_object_or_404(self.get_queryset(), pk=pk)
        return attachment(workplan_sheet.template(workplan), XLSX, f"{file_stem(workplan)}-workplan.xlsx")

    @extend_schema(parameters=[FILE_ID], responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="iati")
    def iati(self, request, pk=None):
        """The workplan as IATI 2.03 activity XML: the plan (results of its joint outputs) and its activities."""
        workplan = get_object_or_404(self.get_queryset(), pk=pk)
        return attachment(iati.build(workplan), "application/xml; charset=utf-8", f"{file_stem(workplan)}-iati.xml")

    @extend_schema(parameters=[FILE_ID], responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="un-info")
    def un_info(self, request, pk=None):
        """The joint workplan as UN INFO's sub-output sheet: one row per agency's part of each activity."""
        workplan = get_object_or_404(self.get_queryset(), pk=pk)
        return attachment(uninfo.workbook(workplan), XLSX, f"{file_stem(workplan)}-un-info.xlsx")


class RosterFilesViewSet(viewsets.GenericViewSet):
    """A team's roster as an Excel template (focal points with hidden row ids, conveners and member
    agencies read-only), to edit and upload to /imports/roster/. Contacts: the team and the Secretariat."""

    queryset = Team.objects.all()
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []
    pagination_class = None
    lookup_value_regex = "[0-9]+"  # an id that is not a whole number answers 404, not 500

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(parameters=[FILE_ID], responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="template")
    def template(self, request, pk=None):
        """The roster as an XLSX template in the caller's language (Accept-Language)."""
        team = get_object_or_404(self.get_queryset(), pk=pk)
        if not view_team_contacts.test(request.user, team):
            raise PermissionDenied(_("Contact details are shown to this team's members and the Secretariat."))
        return attachment(roster_sheet.template(team), XLSX, f"{roster_stem(team)}-roster.xlsx")
