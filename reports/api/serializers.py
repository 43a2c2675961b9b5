from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from countries.models import Region
from teams.models import Team

from ..models import ReportRun


class ReportRunSerializer(serializers.ModelSerializer):
    """A report run as a client polls it: status, progress, and where to download the file once done."""

    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Empty for scheduled reports."
    )
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    file_name = serializers.SerializerMethodField()
    waiting_for_queue = serializers.BooleanField(
        read_only=True,
        help_text="True while the job queue (the broker) is down: the run is saved and starts by itself when "
        "the queue is back; `status_message` says so.",
    )
    status_message = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "url",
            "kind",
            "format",
            "year",
            "region",
            "team",
            "team_name",
            "language",
            "status",
            "progress",
            "waiting_for_queue",
            "status_message",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "file_name",
            "file_size",
            "download_url",
        ]

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, run) -> str:
        return self._absolute(reverse("v1:report-detail", args=[run.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, run) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        return self._absolute(reverse("v1:report-download", args=[run.pk]))

    def get_status_message(self, run) -> str:
        """Where the run is, in the reader's language (the portal's words)."""
        return status_message(run)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_name(self, run) -> str | None:
        return run.download_name if run.status == ReportRun.Status.DONE else None


def status_message(run) -> str:
    if run.status == ReportRun.Status.DONE:
        return _("The report is ready.")
    if run.status == ReportRun.Status.FAILED:
        return _("The report could not be produced.")
    if run.waiting_for_queue:
        return _(
            "Waiting for the job queue: it is not answering at the moment. The request is saved and the "
            "report will start by itself when the queue is back."
        )
    if run.status == ReportRun.Status.QUEUED:
        return _("Waiting for a worker to start the report…")
    return _("Producing the report…")


class NotBlankMixin:
    """DRF reads "" as "none" for relations; here "" is a mistake, and null means none."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("This field may not be blank; send null or leave it out.")
        return super().run_validation(data)


class RegionField(NotBlankMixin, serializers.SlugRelatedField):
    pass


class TeamField(NotBlankMixin, serializers.PrimaryKeyRelatedField):
    pass


# Named after the run it creates: the schema then shows one "ReportRunRequest"
# beside "ReportRun", and their `kind` shares one enum.
@extend_schema_serializer(component_name="ReportRun")
class ReportRequestSerializer(serializers.Serializer):
    """What to build. `region` only for a regional report, `team` only for a country report.

    Which combinations are valid, and who may ask for what, is checked by
    reports.services.request_report (errors answer 400 naming the field, 403).
    """

    kind = serializers.ChoiceField(choices=ReportRun.Kind.choices)
    format = serializers.ChoiceField(choices=ReportRun.Format.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="Default: this year.")
    region = RegionField(
        slug_field="slug",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="Region code, e.g. africa or latin-america-and-the-caribbean (regional report).",
    )
    team = TeamField(
        queryset=Team.objects.all(), required=False, allow_null=True, help_text="Team id (country report)."
    )
