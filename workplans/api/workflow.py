"""/api/v1/endorsement-rounds/, /amendments/, /signatories/: joint endorsement and amendments.

The workflow's steps on a workplan itself (submit, endorse, return, acknowledge; reopen, deprecated)
are actions of /api/v1/workplans/ (views.py); these endpoints show the rounds and answers, start and
submit amendments, and designate who signs for each member agency. Scoped like the rest: everyone
signed in reads, the team's people and the Secretariat write through the services (another team's
record answers 404 to a writer); changes to an existing record need If-Match (428, 412).
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.models import Agency
from core import versions
from core.api.serializers import CodeField, PrimaryKeyField, TextField
from core.filters import PortalFilterSet, YearFilter
from countries.models import Person
from teams.api.viewsets import TeamScopedViewSet
from teams.models import Team

from .. import endorsement
from ..amendments import field_label
from ..models import LONG_TEXT, Amendment, EndorsementRequest, EndorsementRound, Signatory, Workplan
from .serializers import ScopedPrimaryKeyField

READ_SCOPES = (versions.TEAMS, versions.WORKPLANS)


class CommentSerializer(serializers.Serializer):
    comment = TextField(
        required=False, allow_blank=True, max_length=LONG_TEXT, help_text="Kept with the step, in the history."
    )


class ReturnSerializer(serializers.Serializer):
    reason = TextField(max_length=LONG_TEXT, help_text="Why it is returned: the team reads it.")


class ReopenSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, max_length=LONG_TEXT)


# --- rounds ----------------------------------------------------------------------------------------------


class EndorsementRequestSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="acronym", read_only=True, allow_null=True)
    signatory = serializers.CharField(source="signatory.name", read_only=True, allow_null=True, default=None)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = EndorsementRequest
        fields = ["id", "agency", "signatory", "status", "comment", "decided_at", "decided_by", "on_behalf"]


class EndorsementRoundSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="workplan.team_id", read_only=True)
    year = serializers.IntegerField(source="workplan.year", read_only=True)
    amendment = serializers.IntegerField(source="amendment.number", read_only=True, allow_null=True, default=None)
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    requests = EndorsementRequestSerializer(many=True, read_only=True)

    class Meta:
        model = EndorsementRound
        fields = [
            "id", "workplan", "team", "year", "number", "amendment", "status", "rule", "respond_by", "comment",
            "opened_by", "created_at", "closed_at", "closed_by", "close_comment", "requests",
        ]  # fmt: skip


class EndorsementRoundFilterSet(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(field_name="workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="workplan__year")

    class Meta:
        model = EndorsementRound
        fields = ["workplan", "team", "year", "status"]


class EndorsementRoundViewSet(TeamScopedViewSet):
    """The rounds in which workplans (or their amendments) were put to the member agencies' signatories,
    with each agency's answer and comment, newest first. Read-only: the steps are actions of
    /workplans/{id}/ (submit, endorse, return)."""

    queryset = (
        EndorsementRound.objects.select_related("workplan", "amendment", "opened_by", "closed_by")
        .prefetch_related("requests__agency", "requests__signatory", "requests__decided_by")
        .order_by("-created_at", "-id")
    )
    cache_scopes = READ_SCOPES
    serializer_class = EndorsementRoundSerializer
    filterset_class = EndorsementRoundFilterSet
    search_fields = ["workplan__team__name", "comment", "close_comment"]
    ordering_fields = ["created_at", "respond_by"]
    http_method_names = ["get", "head", "options"]


# --- amendments -----------------------------------------------------------------------------------------


class AmendmentChangeSerializer(serializers.Serializer):
    record = serializers.ChoiceField(choices=["workplan", "output", "activity"])
    id = serializers.CharField(allow_blank=True)
    field = serializers.CharField(allow_blank=True)
    change = serializers.ChoiceField(choices=["changed", "added", "removed"])
    label = serializers.CharField()
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class AmendmentSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="workplan.team_id", read_only=True)
    year = serializers.IntegerField(source="workplan.year", read_only=True)
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Amendment
        fields = [
            "id", "workplan", "team", "year", "number", "kind", "reason", "status", "needs_endorsement",
            "started_by", "created_at", "decided_by", "decided_at", "changes", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(AmendmentChangeSerializer(many=True))
    def get_changes(self, amendment) -> list:
        """What the amendment changes, field by field (frozen once approved)."""
        return [
            {
                **row,
                "id": str(row["id"]),
                "before": str(row["before"]),
                "after": str(row["after"]),
                "label": field_label(row),
            }  # fmt: skip
            for row in endorsement.comparison(amendment)
        ]


class AmendmentWriteSerializer(serializers.ModelSerializer):
    workplan = ScopedPrimaryKeyField(queryset=Workplan.objects.all())
    reason = TextField(max_length=LONG_TEXT)

    class Meta:
        model = Amendment
        fields = ["workplan", "kind", "reason"]


class AmendmentFilterSet(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(field_name="workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="workplan__year")

    class Meta:
        model = Amendment
        fields = ["workplan", "team", "year", "kind", "status"]


class AmendmentViewSet(TeamScopedViewSet):
    """Numbered amendments of endorsed workplans: type, reason, and what they change field by field.
    POST starts one (the plan becomes a draft while it is prepared); `submit` approves an administrative
    correction (the convener) or sends any other type to the member agencies' signatories; `withdraw`
    gives up one that changes nothing yet. The signed document is evidence on the amendment
    (/attachments/, target_type=amendment)."""

    queryset = Amendment.objects.select_related("workplan", "started_by", "decided_by").order_by("-created_at", "-id")
    serializer_class = AmendmentSerializer
    read_serializer_class = AmendmentSerializer
    write_serializer_class = AmendmentWriteSerializer
    filterset_class = AmendmentFilterSet
    search_fields = ["workplan__team__name", "reason"]
    ordering_fields = ["created_at", "number"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = endorsement.start_amendment(
            workplan=data["workplan"], user=self.request.user, kind=data["kind"], reason=data["reason"]
        )

    @extend_schema(request=CommentSerializer, responses=AmendmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Approve an administrative correction, or submit another type for endorsement (convener, Secretariat)."""
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            amendment = endorsement.submit_amendment(
                pk=self.get_object().pk,
                user=request.user,
                comment=body.validated_data.get("comment", ""),
                precondition=self.if_match,
            )
        except DjangoValidationError as error:
            # What the changes do not fit is the amendment's, not this body's: said without a field.
            raise DjangoValidationError(error.messages) from None
        return Response(self.representation(self.reload(amendment)))

    @extend_schema(request=None, responses=AmendmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Give up an amendment that changes nothing yet: the plan is endorsed as it was."""
        amendment = endorsement.withdraw_amendment(
            pk=self.get_object().pk, user=request.user, precondition=self.if_match
        )
        return Response(self.representation(self.reload(amendment)))


# --- signatories -------------------------------------------------------------------------------------------


class SignatorySerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="acronym", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    designated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Signatory
        fields = ["id", "team", "agency", "person", "name", "designated_by", "updated_at"]


class SignatoryWriteSerializer(serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(queryset=Team.objects.all())
    agency = CodeField(slug_field="acronym", queryset=Agency.objects.all())
    person = PrimaryKeyField(queryset=Person.objects.all())

    class Meta:
        model = Signatory
        fields = ["team", "agency", "person"]
        validators = []  # one per team and agency: a second designation replaces the first (the service)


class SignatoryFilterSet(PortalFilterSet):
    agency = django_filters.ModelChoiceFilter(
        field_name="agency", to_field_name="acronym", queryset=Agency.objects.all()
    )

    class Meta:
        model = Signatory
        fields = ["team", "agency"]


class SignatoryViewSet(TeamScopedViewSet):
    """Who signs a team's workplans for a member agency, where the convener or the Secretariat designated
    someone (without one: the head of the convening agency, else the agency's primary focal point).
    POST designates (replacing an earlier designation for that agency); DELETE stops designating."""

    queryset = Signatory.objects.select_related("agency", "person", "designated_by").order_by(
        "team_id", "agency__acronym"
    )
    serializer_class = SignatorySerializer
    read_serializer_class = SignatorySerializer
    write_serializer_class = SignatoryWriteSerializer
    filterset_class = SignatoryFilterSet
    search_fields = ["team__name", "person__name"]
    ordering_fields = ["updated_at"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    delete_service = staticmethod(endorsement.remove_signatory)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signatory = endorsement.designate_signatory(user=request.user, **serializer.validated_data)
        return Response(self.representation(self.reload(signatory)), status=status.HTTP_201_CREATED)
