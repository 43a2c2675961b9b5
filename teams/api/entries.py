"""The roster's entries as API resources, written through teams.services like the portal:
/api/v1/focal-points/, /api/v1/convener-terms/, /api/v1/team-memberships/ (member agencies
proposed by a team and confirmed or declined by the Secretariat).

Reads follow the roster's rule for contacts: e-mail and phone only for the caller's own
teams (all for the Secretariat), else null. Writes see only the caller's teams (another
team's entry answers 404), a viewer gets 403, and a change to an existing entry needs
If-Match (428 without, 412 when stale), checked by the service on the locked row.
"""

import datetime as dt

import django_filters
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.identifiers import iati_identifier
from agencies.models import Agency
from core.api.serializers import CodeField, PrimaryKeyField, iso_date, iso_datetime
from core.filters import ModifiedSinceFilter, PortalFilterSet, StrictBooleanFilter
from core.models import current_on
from countries.filtersets import CountryCodeFilter
from teams import services
from teams.filtersets import AgencyCodeFilter
from teams.models import ConvenerTerm, FocalPoint, MembershipProposal, Team
from teams.rules import view_team_contacts
from teams.selectors import unconfirmed

from .viewsets import TeamScopedViewSet

CONTACT_HELP = "Only for your own teams (or the Secretariat); else null."


class EditableTeamField(PrimaryKeyField):
    """A team the caller may change the roster of; another team reads as "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        return Team.objects.editable_by(request.user) if request else Team.objects.none()


def _agency(agency) -> dict:
    return {
        "agency": agency.acronym if agency else None,
        "agency_iati_identifier": iati_identifier(getattr(agency, "acronym", None)),
    }


def _country(team: Team) -> dict:
    country = team.country
    return {
        "country": country.iso_alpha3 if country else None,
        "country_m49": country.iso_numeric if country else None,
    }


def _flagged(entry, now) -> bool:
    if not entry.is_current:
        return False
    cut = now - dt.timedelta(days=settings.ROSTER_UNCONFIRMED_DAYS)
    return entry.last_confirmed_at is None or entry.last_confirmed_at < cut


def _person(person, visible: bool) -> dict:
    return {
        "name": person.name if person else None,
        "title": person.title if person else None,
        "email": (person.email or None) if person and visible else None,
        "phone": (person.phone or None) if person and visible else None,
    }


# --- focal points ----------------------------------------------------------------------------


class FocalPointEntrySerializer(serializers.ModelSerializer):
    """A technical focal point of a member agency in a team."""

    team = serializers.IntegerField(read_only=True)
    team_name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, allow_null=True, help_text="ISO 3166 alpha-3.")
    country_m49 = serializers.CharField(read_only=True, allow_null=True, help_text="UN M49 (ISO numeric) code.")
    agency = serializers.CharField(read_only=True)
    agency_iati_identifier = serializers.CharField(read_only=True, allow_null=True, help_text="e.g. XM-DAC-41140.")
    name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    unconfirmed = serializers.BooleanField(read_only=True, help_text="In office and not confirmed for a year.")
    end_reason = serializers.ChoiceField(
        choices=FocalPoint.EndReason.choices, allow_blank=True, read_only=True, help_text="Empty while in office."
    )

    class Meta:
        model = FocalPoint
        fields = [
            "id",
            "team",
            "team_name",
            "country",
            "country_m49",
            "agency",
            "agency_iati_identifier",
            "name",
            "title",
            "email",
            "phone",
            "is_primary",
            "start_date",
            "end_date",
            "end_reason",
            "end_note",
            "last_confirmed_at",
            "unconfirmed",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, fp):
        request = self.context.get("request")
        team = fp.member.team
        visible = request is not None and view_team_contacts.test(request.user, fp)
        return {
            "id": fp.pk,
            "team": team.pk,
            "team_name": team.name,
            **_country(team),
            **_agency(fp.member.agency),
            **_person(fp.person, visible),
            "is_primary": fp.is_primary,
            "start_date": iso_date(fp.start_date),
            "end_date": iso_date(fp.end_date),
            "end_reason": fp.end_reason,
            "end_note": fp.end_note,
            "last_confirmed_at": iso_datetime(fp.last_confirmed_at),
            "unconfirmed": _flagged(fp, timezone.now()),
            "updated_at": iso_datetime(fp.updated_at),
        }


class FocalPointCreateSerializer(serializers.Serializer):
    team = EditableTeamField(queryset=Team.objects.all())
    agency = CodeField(slug_field="acronym", queryset=Agency.objects.all(), help_text="A member agency of the team.")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class FocalPointUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)


class EndFocalPointEntrySerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=FocalPoint.EndReason.choices)
    end_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Needed for 'other'."
    )


class RosterEntryFilterSet(PortalFilterSet):
    country = CountryCodeFilter(field_name="member__team__country")
    agency = AgencyCodeFilter(field_name="member__agency")
    current = StrictBooleanFilter(method="filter_current", help_text="In office today.")
    unconfirmed = StrictBooleanFilter(method="filter_unconfirmed", help_text="In office and not confirmed for a year.")
    modified_since = ModifiedSinceFilter()

    class Meta:
        model = FocalPoint
        fields = ["country", "agency", "current", "unconfirmed", "modified_since"]

    def filter_current(self, queryset, name, value):
        condition = current_on(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_unconfirmed(self, queryset, name, value):
        flagged = unconfirmed(
            queryset.filter(current_on(timezone.localdate())), timezone.now(), settings.ROSTER_UNCONFIRMED_DAYS
        )
        return flagged if value else queryset.exclude(pk__in=flagged.values("pk"))


class FocalPointFilters(RosterEntryFilterSet):
    team = django_filters.ModelChoiceFilter(
        field_name="member__team", queryset=Team.objects.all(), help_text="A team's id."
    )

    class Meta(RosterEntryFilterSet.Meta):
        fields = ["team", *RosterEntryFilterSet.Meta.fields]


class FocalPointViewSet(TeamScopedViewSet):
    """Focal points of member agencies in teams, current and past.

    The team's conveners and focal points and the Secretariat add one (POST), change its contacts,
    start date or primary flag (PATCH), end it with a reason (`end/`), make it the primary one
    (`mark-primary/`) or confirm it is still true (`confirm/`). `modified_since=` lists what
    changed since a client's last sync.
    """

    queryset = FocalPoint.objects.select_related("member__team__country", "member__agency", "person").order_by(
        "member__team__name", "member__agency__acronym", "-is_primary", "person__name", "pk"
    )
    serializer_class = read_serializer_class = FocalPointEntrySerializer
    filterset_class = FocalPointFilters
    search_fields = ["person__name", "member__team__name"]
    ordering_fields = ["updated_at", "start_date", "last_confirmed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    update_service = staticmethod(services.update_focal_point)

    def get_serializer_class(self):
        if self.action == "create":
            return FocalPointCreateSerializer
        if self.action == "partial_update":
            return FocalPointUpdateSerializer
        if self.action == "end":
            return EndFocalPointEntrySerializer
        return FocalPointEntrySerializer

    def perform_create(self, serializer):
        serializer.instance = services.add_focal_point(user=self.request.user, **serializer.validated_data)

    @extend_schema(request=FocalPointCreateSerializer, responses={201: FocalPointEntrySerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=FocalPointUpdateSerializer, responses=FocalPointEntrySerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=EndFocalPointEntrySerializer, responses=FocalPointEntrySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the focal point on a date (today by default), with a reason: reassigned, left_agency, other."""
        entry = self.get_object()
        data = EndFocalPointEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.end_focal_point(
            pk=entry.pk, user=request.user, precondition=self.if_match, **data.validated_data
        )
        return Response(self.representation(self.reload(entry)))

    @extend_schema(request=None, responses=FocalPointEntrySerializer)
    @action(detail=True, methods=["post"], url_path="mark-primary")
    def mark_primary(self, request, pk=None):
        """Make this focal point its agency's primary one in the team."""
        entry = services.mark_primary(pk=self.get_object().pk, user=request.user, precondition=self.if_match)
        return Response(self.representation(self.reload(entry)))

    @extend_schema(request=None, responses=FocalPointEntrySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The entry is still true: its "last confirmed" moves to now."""
        entry = self.get_object()
        self.if_match(entry)
        entry = services.confirm_entry(entry=entry, user=request.user)
        return Response(self.representation(self.reload(entry)))


# --- convener terms ----------------------------------------------------------------------------


class ConvenerTermEntrySerializer(serializers.ModelSerializer):
    """A convener or co-convener term of a team: who, for which agency (or the Resident Coordinator), when."""

    team = serializers.IntegerField(read_only=True)
    team_name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, allow_null=True, help_text="ISO 3166 alpha-3.")
    country_m49 = serializers.CharField(read_only=True, allow_null=True, help_text="UN M49 (ISO numeric) code.")
    agency = serializers.CharField(
        read_only=True, allow_null=True, help_text="Null when the Resident Coordinator convenes."
    )
    agency_iati_identifier = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    is_current = serializers.BooleanField(read_only=True)
    unconfirmed = serializers.BooleanField(read_only=True, help_text="In office and not confirmed for a year.")

    class Meta:
        model = ConvenerTerm
        fields = [
            "id",
            "team",
            "team_name",
            "country",
            "country_m49",
            "role",
            "agency",
            "agency_iati_identifier",
            "by_resident_coordinator",
            "name",
            "title",
            "email",
            "phone",
            "start_date",
            "end_date",
            "is_current",
            "last_confirmed_at",
            "unconfirmed",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, term):
        request = self.context.get("request")
        visible = request is not None and view_team_contacts.test(request.user, term)
        return {
            "id": term.pk,
            "team": term.team_id,
            "team_name": term.team.name,
            **_country(term.team),
            "role": term.role,
            **_agency(term.agency),
            "by_resident_coordinator": term.by_resident_coordinator,
            **_person(term.person, visible),
            "start_date": iso_date(term.start_date),
            "end_date": iso_date(term.end_date),
            "is_current": term.is_current,
            "last_confirmed_at": iso_datetime(term.last_confirmed_at),
            "unconfirmed": _flagged(term, timezone.now()),
            "updated_at": iso_datetime(term.updated_at),
        }


class ConvenerTermCreateSerializer(serializers.Serializer):
    team = EditableTeamField(queryset=Team.objects.all())
    role = serializers.ChoiceField(choices=ConvenerTerm.Role.choices)
    agency = CodeField(
        slug_field="acronym", queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    by_resident_coordinator = serializers.BooleanField(required=False, default=False)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class ConvenerTermUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ConvenerTerm.Role.choices, required=False, help_text="Secretariat only.")
    agency = CodeField(
        slug_field="acronym",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Secretariat only.",
    )
    by_resident_coordinator = serializers.BooleanField(required=False, help_text="Secretariat only.")
    start_date = serializers.DateField(required=False, allow_null=True, help_text="Secretariat only.")
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Secretariat only.")


class EndTermSerializer(serializers.Serializer):
    end_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")


class ConvenerTermFilters(RosterEntryFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="A team's id.")
    country = CountryCodeFilter(field_name="team__country")
    agency = AgencyCodeFilter(field_name="agency")
    role = django_filters.ChoiceFilter(choices=ConvenerTerm.Role.choices)

    class Meta:
        model = ConvenerTerm
        fields = ["team", "country", "agency", "role", "current", "unconfirmed", "modified_since"]


class ConvenerTermViewSet(TeamScopedViewSet):
    """Convener and co-convener terms of teams, current and past (the convener history).

    The Secretariat records a term (POST) and corrects role, agency and dates (PATCH); the team's
    people update the contacts; the convener in the term (or the Secretariat) ends it (`end/`).
    A hand-over to a successor is an invitation: POST /api/v1/invitations/ with `hand_over_of`.
    """

    queryset = ConvenerTerm.objects.select_related("team__country", "agency", "person").order_by(
        "team__name", "role", F("start_date").desc(nulls_last=True), "-pk"
    )
    serializer_class = read_serializer_class = ConvenerTermEntrySerializer
    filterset_class = ConvenerTermFilters
    search_fields = ["person__name", "team__name"]
    ordering_fields = ["updated_at", "start_date", "last_confirmed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    update_service = staticmethod(services.update_convener_term)

    def get_serializer_class(self):
        if self.action == "create":
            return ConvenerTermCreateSerializer
        if self.action == "partial_update":
            return ConvenerTermUpdateSerializer
        if self.action == "end":
            return EndTermSerializer
        return ConvenerTermEntrySerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        services.check_record_convener(self.request.user)
        person = services.person_for(
            email=data.pop("email"), name=data.pop("name"), title=data.pop("title"), agency=data.get("agency")
        )
        serializer.instance = services.record_convener_term(user=self.request.user, person=person, **data)

    @extend_schema(request=ConvenerTermCreateSerializer, responses={201: ConvenerTermEntrySerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ConvenerTermUpdateSerializer, responses=ConvenerTermEntrySerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=EndTermSerializer, responses=ConvenerTermEntrySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the term (the convener leaving without a successor), today by default."""
        term = self.get_object()
        data = EndTermSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        term = services.end_convener_term(
            pk=term.pk, user=request.user, precondition=self.if_match, **data.validated_data
        )
        return Response(self.representation(self.reload(term)))

    @extend_schema(request=None, responses=ConvenerTermEntrySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The term is still true: its "last confirmed" moves to now."""
        term = self.get_object()
        self.if_match(term)
        term = services.confirm_entry(entry=term, user=request.user)
        return Response(self.representation(self.reload(term)))


# --- member agencies ---------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    """A member agency proposed for a team, and the Secretariat's decision."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    agency = serializers.CharField(source="agency.acronym", read_only=True)
    agency_iati_identifier = serializers.SerializerMethodField()
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True, allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)
    member = serializers.IntegerField(
        source="member_id", read_only=True, allow_null=True, help_text="The membership once confirmed."
    )

    class Meta:
        model = MembershipProposal
        fields = [
            "id",
            "team",
            "team_name",
            "agency",
            "agency_iati_identifier",
            "start_date",
            "note",
            "status",
            "proposed_by",
            "created_at",
            "decided_by",
            "decided_at",
            "reason",
            "member",
            "updated_at",
        ]
        read_only_fields = fields

    def get_agency_iati_identifier(self, proposal) -> str | None:
        return iati_identifier(proposal.agency.acronym)


class MembershipCreateSerializer(serializers.Serializer):
    team = EditableTeamField(queryset=Team.objects.all())
    agency = CodeField(slug_field="acronym", queryset=Agency.objects.all())
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Needed to decline."
    )


class MembershipFilters(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="A team's id.")
    agency = AgencyCodeFilter(field_name="agency")
    status = django_filters.ChoiceFilter(choices=MembershipProposal.Status.choices)

    class Meta:
        model = MembershipProposal
        fields = ["team", "agency", "status"]


class TeamMembershipViewSet(TeamScopedViewSet):
    """Member agencies proposed by a team (its conveners and focal points) and the Secretariat's
    decision: `confirm/` makes the agency a member (in the team's roster from then), `decline/`
    says why. The Secretariat's own proposal is confirmed at once. Current memberships are in the
    rosters (/api/v1/teams/)."""

    queryset = MembershipProposal.objects.select_related("team", "agency", "proposed_by", "decided_by").order_by(
        "-created_at", "-pk"
    )
    serializer_class = read_serializer_class = MembershipSerializer
    filterset_class = MembershipFilters
    search_fields = ["team__name", "agency__acronym"]
    ordering_fields = ["created_at", "updated_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return MembershipCreateSerializer
        if self.action in ("confirm", "decline"):
            return DecisionSerializer
        return MembershipSerializer

    def perform_create(self, serializer):
        serializer.instance = services.propose_member(user=self.request.user, **serializer.validated_data)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def _decide(self, request, approve: bool):
        proposal = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.decide_membership(
            pk=proposal.pk, user=request.user, approve=approve, precondition=self.if_match, **data.validated_data
        )
        return Response(self.representation(self.reload(proposal)))

    @extend_schema(request=DecisionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The Secretariat confirms: the agency becomes a member of the team."""
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The Secretariat declines, giving a reason the team reads."""
        return self._decide(request, False)
