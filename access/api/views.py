"""/api/v1/invitations/ and /api/v1/access-requests/, written through access.services like the portal.

Invitations: listed for the Secretariat (all) and the teams' conveners and focal points (their
teams', and those they sent); a viewer gets 403. POST invites (a team's conveners, the
Secretariat) or, with `hand_over_of`, hands a convener term over (its convener, the
Secretariat). `resend/`, `revoke/` and, for a hand-over, the Secretariat's `confirm/`.

Access requests: any signed-in user asks (POST) and sees their own; the team's conveners and
focal points see their team's; its conveners and the Secretariat `approve/` or `decline/`
(never their own); the requester may `withdraw/`.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from access import services
from access.models import AccessRequest, Invitation, Role
from accounts.rules import is_secretariat
from agencies.identifiers import iati_identifier
from agencies.models import Agency
from core.api.serializers import CodeField, PrimaryKeyField
from core.filters import ModifiedSinceFilter, PortalFilterSet
from teams.api.viewsets import TeamScopedViewSet
from teams.models import ConvenerTerm, Team, team_roles


class AccessRequestPermission(permissions.BasePermission):
    """Everyone signed in asks and reads their own; deciding is for conveners and the Secretariat
    (a viewer or a focal point: 403; which team's requests a convener decides is the service's answer)."""

    message = "Only a team's conveners or the Secretariat decide access requests."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(view, "action", None) in ("approve", "decline"):
            return bool(is_secretariat(user) or team_roles(user).convener_of)
        return True


class TeamPeople(permissions.BasePermission):
    """Invitations carry people's addresses: the Secretariat and the teams' people only (a viewer: 403)."""

    message = "Invitations are for the teams' conveners and focal points and the Secretariat."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return bool(is_secretariat(user) or team_roles(user).team_ids)


def base_url(request) -> str:
    return request.build_absolute_uri("/")


# --- invitations -----------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)
    agency = serializers.CharField(source="agency.acronym", read_only=True, allow_null=True, default=None)
    agency_iati_identifier = serializers.SerializerMethodField()
    hand_over_of = serializers.IntegerField(source="replaces_term_id", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Invitation.Status.choices, read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "team",
            "team_name",
            "role",
            "agency",
            "agency_iati_identifier",
            "by_resident_coordinator",
            "email",
            "name",
            "title",
            "language",
            "starts_on",
            "message",
            "hand_over_of",
            "status",
            "invited_by",
            "created_at",
            "sent_at",
            "send_count",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_agency_iati_identifier(self, invitation) -> str | None:
        return iati_identifier(invitation.agency.acronym if invitation.agency_id else None)


class InvitableTeamField(PrimaryKeyField):
    """One of the caller's teams (all for the Secretariat); another team reads as "does not exist".
    Whether the caller's role there lets them invite is the service's answer (403 with its reason)."""

    def get_queryset(self):
        request = self.context.get("request")
        return Team.objects.editable_by(request.user) if request else Team.objects.none()


class HandOverTermField(PrimaryKeyField):
    def get_queryset(self):
        request = self.context.get("request")
        return (
            ConvenerTerm.objects.editable_by(request.user).select_related("team")
            if request
            else ConvenerTerm.objects.none()
        )


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=Role.choices, required=False, help_text="Not needed for a hand-over.")
    team = InvitableTeamField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None, help_text="Empty only for a viewer."
    )
    hand_over_of = HandOverTermField(
        queryset=ConvenerTerm.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A convener term to hand over: the invitee succeeds it from `starts_on` once they accept.",
    )
    agency = CodeField(
        slug_field="acronym", queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    by_resident_coordinator = serializers.BooleanField(required=False, default=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=Invitation._meta.get_field("language").choices, required=False, default=""
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["hand_over_of"] is None and not data.get("role"):
            raise serializers.ValidationError({"role": ["Choose the role (or send hand_over_of for a hand-over)."]})
        return data


class InvitationFilters(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="A team's id.")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    status = django_filters.ChoiceFilter(choices=Invitation.Status.choices, method="filter_status")
    modified_since = ModifiedSinceFilter()

    class Meta:
        model = Invitation
        fields = ["team", "role", "status", "modified_since"]

    def filter_status(self, queryset, name, value):
        from django.utils import timezone

        now = timezone.now()
        return {
            "accepted": queryset.filter(accepted_at__isnull=False),
            "revoked": queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False),
            "expired": queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now),
            "pending": queryset.pending(),
        }[value]


class InvitationViewSet(TeamScopedViewSet):
    """Invitations by e-mail into a team's roles, and convener hand-overs. See the module's docstring."""

    queryset = Invitation.objects.select_related("team", "agency", "invited_by").order_by("-created_at", "-pk")
    serializer_class = read_serializer_class = InvitationSerializer
    permission_classes = [TeamPeople]
    filterset_class = InvitationFilters
    search_fields = ["email", "name"]
    ordering_fields = ["created_at", "expires_at", "updated_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return InvitationCreateSerializer
        return InvitationSerializer

    def get_queryset(self):
        # Changes find what the caller may see (another team's: 404); the service then says whether
        # their role may change it (403 with its reason).
        return self.queryset.visible_to(self.request.user)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        term = data.pop("hand_over_of")
        common = {
            "user": self.request.user,
            "email": data["email"],
            "name": data["name"],
            "title": data["title"],
            "language": data["language"],
            "message": data["message"],
            "base_url": base_url(self.request),
        }
        if term is not None:
            serializer.instance = services.hand_over(
                term=term,
                starts_on=data["starts_on"],
                agency=data["agency"],
                by_resident_coordinator=data["by_resident_coordinator"] or None,
                **common,
            )
        else:
            serializer.instance = services.invite(
                role=data["role"],
                team=data["team"],
                agency=data["agency"],
                by_resident_coordinator=data["by_resident_coordinator"],
                starts_on=data["starts_on"],
                **common,
            )

    def _act(self, service, **kwargs):
        invitation = service(pk=self.get_object().pk, user=self.request.user, precondition=self.if_match, **kwargs)
        return Response(self.representation(self.reload(invitation)))

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send it again with a new link (the old one stops working), valid for another week."""
        return self._act(services.resend_invitation, base_url=base_url(request))

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw it: its link no longer works."""
        return self._act(services.revoke_invitation)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The Secretariat makes a hand-over take effect on the successor's behalf."""
        return self._act(services.confirm_hand_over)


# --- access requests -------------------------------------------------------------------------


class AccessRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    agency = serializers.CharField(source="agency.acronym", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "requester",
            "team",
            "team_name",
            "role",
            "agency",
            "message",
            "status",
            "reason",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AccessRequestCreateSerializer(serializers.Serializer):
    team = PrimaryKeyField(queryset=Team.objects.all())
    agency = CodeField(slug_field="acronym", queryset=Agency.objects.all(), help_text="A member agency of the team.")
    message = serializers.CharField(
        max_length=1000, help_text="Who you are, e.g. I am WFP's nutrition focal point in Chad."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Needed to decline."
    )


class AccessRequestFilters(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="A team's id.")
    status = django_filters.ChoiceFilter(choices=AccessRequest.Status.choices)

    class Meta:
        model = AccessRequest
        fields = ["team", "status"]


class AccessRequestViewSet(TeamScopedViewSet):
    """Requests to become a focal point of a team. See the module's docstring."""

    queryset = AccessRequest.objects.select_related("requester", "team", "agency", "decided_by").order_by(
        "-created_at", "-pk"
    )
    serializer_class = read_serializer_class = AccessRequestSerializer
    permission_classes = [AccessRequestPermission]
    filterset_class = AccessRequestFilters
    search_fields = ["message", "team__name"]
    ordering_fields = ["created_at", "updated_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return AccessRequestCreateSerializer
        if self.action in ("approve", "decline"):
            return ReasonSerializer
        return AccessRequestSerializer

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(request=AccessRequestCreateSerializer, responses={201: AccessRequestSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.request_access(
            user=self.request.user, base_url=base_url(self.request), **serializer.validated_data
        )

    def _decide(self, request, approve: bool):
        access_request = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request = services.decide_access_request(
            pk=access_request.pk,
            user=request.user,
            approve=approve,
            base_url=base_url(request),
            precondition=self.if_match,
            **data.validated_data,
        )
        return Response(self.representation(self.reload(access_request)))

    @extend_schema(request=ReasonSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The team's convener or the Secretariat approves: the requester becomes a focal point."""
        return self._decide(request, True)

    @extend_schema(request=ReasonSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The team's convener or the Secretariat declines, with a reason the requester reads."""
        return self._decide(request, False)

    @extend_schema(request=None, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The requester withdraws a waiting request."""
        access_request = services.withdraw_access_request(
            pk=self.get_object().pk, user=request.user, precondition=self.if_match
        )
        return Response(self.representation(self.reload(access_request)))
