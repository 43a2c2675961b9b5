from rest_framework import serializers

from teams.models import Team
from workplans.api.serializers import ScopedPrimaryKeyField
from workplans.models import Workplan

from ..models import ImportBatch


class IssueSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["critical", "error", "warning"])
    message = serializers.CharField()
    column = serializers.CharField(allow_blank=True)
    cell = serializers.CharField(allow_blank=True, help_text="The cell, e.g. L4; empty for the file or a whole row.")


class ChangeSerializer(serializers.Serializer):
    column = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class PreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The sheet's row number; null for a deletion.")
    action = serializers.ChoiceField(choices=["created", "changed", "unchanged", "deleted", "refused", "file"])
    id = serializers.IntegerField(allow_null=True, help_text="The activity's id, for rows of existing activities.")
    title = serializers.CharField(allow_blank=True)
    changes = ChangeSerializer(many=True)
    issues = IssueSerializer(many=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    undone_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    can_confirm = serializers.BooleanField(read_only=True)
    preview = PreviewRowSerializer(many=True, read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "team",
            "workplan",
            "file_name",
            "file_sha256",
            "language",
            "delete_missing",
            "status",
            "created_count",
            "changed_count",
            "deleted_count",
            "unchanged_count",
            "error_count",
            "warning_count",
            "can_confirm",
            "uploaded_by",
            "created_at",
            "applied_at",
            "undone_at",
            "undone_by",
            "preview",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    # Another team's workplan reads as "does not exist", as everywhere in the API.
    workplan = ScopedPrimaryKeyField(queryset=Workplan.objects.all())
    file = serializers.FileField(help_text="The workplan's XLSX (from its template), as multipart/form-data.")
    delete_missing = serializers.BooleanField(
        default=False, help_text="Delete the workplan's activities that are not in the file."
    )


class RosterUploadSerializer(serializers.Serializer):
    # Another team reads as "does not exist" for a team's people; the service says who may import.
    team = ScopedPrimaryKeyField(queryset=Team.objects.all())
    file = serializers.FileField(help_text="The team's roster XLSX (from its template), as multipart/form-data.")
    delete_missing = serializers.BooleanField(
        default=False, help_text="End the team's running focal points that are not in the file (today)."
    )
