from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.viewsets import ReadOnlyViewSet

from .. import services
from ..models import ReportRun
from ..renderers import CONTENT_TYPES
from .filtersets import ReportRunFilterSet
from .serializers import ReportRequestSerializer, ReportRunSerializer

FILE_RESPONSES = {(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()}


@extend_schema_view(
    list=extend_schema(description="Your report runs, newest first; Secretariat staff also see the scheduled ones."),
    retrieve=extend_schema(
        description="Poll a run: `status` goes queued -> running -> done (or failed, with `error`); "
        "`progress` is 0-100; `download_url` is set once it is done. Answers 404 for runs of other people "
        "(Secretariat staff see every run). Send the ETag back as If-None-Match to get 304 while nothing changed."
    ),
)
class ReportRunViewSet(ReadOnlyViewSet):
    """Coordination reports, built in the background: request one, poll it, download the file.

    Global, regional and data-quality reports are for the Secretariat; a country
    report for the team's conveners and focal points and the Secretariat.
    """

    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet
    search_fields = ["team__name", "region__name"]
    ordering_fields = ["created_at", "finished_at", "year"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        runs = services.listed_runs(user) if self.action == "list" else services.visible_runs(user)
        return runs.order_by("-created_at", "-id")

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: ReportRunSerializer,
            400: OpenApiResponse(description="A field is missing or wrong; the answer names it."),
            403: OpenApiResponse(description="Your role does not allow this report."),
        },
        description="Request a report. Answers 202 with the run and its address in `Location`. The same "
        "request while an earlier one of yours is still queued or running returns that run instead of "
        "starting a second job.",
    )
    def create(self, request, *args, **kwargs):
        query = ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        run, _created = services.request_report(request.user, **query.validated_data)
        data = ReportRunSerializer(run, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(
        responses={
            **FILE_RESPONSES,
            404: OpenApiResponse(description="No such run of yours, or it is not done yet."),
        },
        description="The report file (PDF, XLSX or CSV), for the person who requested it and the Secretariat.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        run = self.get_object()
        if run.status != ReportRun.Status.DONE or not run.file:
            raise NotFound(f"This report is {run.get_status_display().lower()}, not ready to download.")
        try:
            content = services.open_for_download(request, run)
        except OSError as exc:
            raise NotFound("The file of this report is missing; request the report again.") from exc
        return FileResponse(
            content, as_attachment=True, filename=run.download_name, content_type=CONTENT_TYPES[run.file_extension]
        )
