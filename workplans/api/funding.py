"""API of the money behind joint work: contributions per agency, joint proposals, and the reference
lists they use (funders, activity tags). Writes go through workplans.services, like the portal's."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from core.api.serializers import CodeField, MoneyField
from core.api.viewsets import ReadOnlyViewSet
from core.filters import PortalFilterSet, YearFilter
from countries.filtersets import CountryCodeFilter
from teams.api.viewsets import TeamScopedViewSet
from teams.filtersets import AgencyCodeFilter
from teams.models import Team
from workplans import services
from workplans.models import Activity, Contribution, Funder, JointProposal, Output, Tag

from .serializers import ScopedPrimaryKeyField
from .views import READ_SCOPES

# --- reference lists ---------------------------------------------------------------------------------


class FunderSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Funder
        fields = ["code", "name", "kind", "iati_identifier", "is_active"]

    def get_name(self, funder) -> str:
        return funder.localized_name()


class FunderFilterSet(PortalFilterSet):
    class Meta:
        model = Funder
        fields = ["kind", "is_active"]


class TagFilterSet(PortalFilterSet):
    class Meta:
        model = Tag
        fields = ["group"]


class FunderViewSet(ReadOnlyViewSet):
    """The Secretariat's list of funders (agency core resources, donors, pooled funds, the government)."""

    queryset = Funder.objects.order_by("kind", "name")
    serializer_class = FunderSerializer
    lookup_field = "code"
    filterset_class = FunderFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name", "kind"]


class TagSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["code", "group", "name"]

    def get_name(self, tag) -> str:
        return tag.localized_name()


class TagViewSet(ReadOnlyViewSet):
    """Tags an activity may carry: leave-no-one-behind groups, humanitarian/development/peace,
    nutrition-specific or -sensitive, the system concerned, global initiatives (names in the caller's
    language)."""

    queryset = Tag.objects.order_by("group", "position")
    serializer_class = TagSerializer
    lookup_field = "code"
    filterset_class = TagFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["group", "code"]


# --- contributions ----------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^(?:\d{1,7}(?:\.\d)?)?$", "example": "12.5"})
class PersonDaysField(serializers.DecimalField):
    """Person-days: not negative (as the model says; DRF's schema would allow a minus sign), at most seven
    digits before the point and one after; empty or null for none."""

    def __init__(self, **kwargs):
        kwargs.update(max_digits=8, decimal_places=1, min_value=0)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class ContributionSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="activity.workplan.team_id", read_only=True)
    year = serializers.IntegerField(source="activity.workplan.year", read_only=True)
    currency = serializers.CharField(source="activity.currency", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="acronym", read_only=True)
    funder = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "activity",
            "team",
            "year",
            "agency",
            "kind",
            "amount",
            "currency",
            "person_days",
            "funder",
            "note",
            "updated_at",
        ]


class ContributionWriteSerializer(serializers.ModelSerializer):
    activity = ScopedPrimaryKeyField(queryset=Activity.objects.all())
    agency = CodeField(slug_field="acronym", queryset=Agency.objects.all())
    funder = CodeField(slug_field="code", queryset=Funder.objects.all())
    amount = MoneyField(required=False)
    person_days = PersonDaysField(help_text="For staff time and technical assistance.")

    class Meta:
        model = Contribution
        fields = ["activity", "agency", "kind", "amount", "person_days", "funder", "note"]


class ContributionFilterSet(PortalFilterSet):
    team = django_filters.ModelChoiceFilter(field_name="activity__workplan__team", queryset=Team.objects.all())
    year = YearFilter(field_name="activity__workplan__year")
    country = CountryCodeFilter(field_name="activity__workplan__team__country")
    agency = AgencyCodeFilter(field_name="agency")
    funder = django_filters.ModelChoiceFilter(queryset=Funder.objects.all(), to_field_name="code")

    class Meta:
        model = Contribution
        fields = ["activity", "team", "year", "country", "agency", "funder", "kind"]


class ContributionViewSet(TeamScopedViewSet):
    """What each agency puts into an activity (cash, in kind, staff time, technical assistance) and from
    which funding source. An activity's budget available is the sum of its contributions' amounts."""

    queryset = Contribution.objects.select_related("activity__workplan", "agency", "funder").order_by(
        "activity_id", "id"
    )
    cache_scopes = READ_SCOPES
    serializer_class = ContributionSerializer
    read_serializer_class = ContributionSerializer
    write_serializer_class = ContributionWriteSerializer
    filterset_class = ContributionFilterSet
    ordering_fields = ["amount", "updated_at"]
    update_service = staticmethod(services.update_contribution)
    delete_service = staticmethod(services.delete_contribution)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_contribution(
            activity=data.pop("activity"), user=self.request.user, data=data
        )


# --- joint proposals --------------------------------------------------------------------------------------


class JointProposalSerializer(serializers.ModelSerializer):
    donor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    agencies = serializers.SlugRelatedField(slug_field="acronym", many=True, read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = JointProposal
        fields = [
            "id",
            "team",
            "title",
            "donor",
            "agencies",
            "currency",
            "amount_requested",
            "amount_approved",
            "status",
            "submitted_on",
            "decided_on",
            "received_on",
            "activities",
            "outputs",
            "notes",
            "has_document",
            "updated_at",
        ]

    def get_has_document(self, proposal) -> bool:
        return bool(proposal.document)


class JointProposalWriteSerializer(serializers.ModelSerializer):
    team = ScopedPrimaryKeyField(queryset=Team.objects.all())
    donor = CodeField(slug_field="code", queryset=Funder.objects.all(), required=False, allow_null=True)
    agencies = CodeField(slug_field="acronym", many=True, queryset=Agency.objects.all())
    activities = ScopedPrimaryKeyField(many=True, queryset=Activity.objects.all(), required=False)
    outputs = ScopedPrimaryKeyField(many=True, queryset=Output.objects.all(), required=False)
    amount_requested = MoneyField(required=False)
    amount_approved = MoneyField(required=False, allow_null=True)

    class Meta:
        model = JointProposal
        fields = [
            "team",
            "title",
            "donor",
            "agencies",
            "currency",
            "amount_requested",
            "amount_approved",
            "status",
            "submitted_on",
            "decided_on",
            "received_on",
            "activities",
            "outputs",
            "notes",
        ]


class JointProposalFilterSet(PortalFilterSet):
    country = CountryCodeFilter(field_name="team__country")
    agency = AgencyCodeFilter(field_name="agencies")
    year = YearFilter(field_name="submitted_on__year")

    class Meta:
        model = JointProposal
        fields = ["team", "status", "country", "agency", "year"]


class JointProposalViewSet(TeamScopedViewSet):
    """Funding proposals a team's agencies write together: donor, amount, where it stands, what it funds."""

    queryset = JointProposal.objects.select_related("donor").prefetch_related("agencies", "activities", "outputs")
    queryset = queryset.order_by("-submitted_on", "-id")
    cache_scopes = READ_SCOPES
    serializer_class = JointProposalSerializer
    read_serializer_class = JointProposalSerializer
    write_serializer_class = JointProposalWriteSerializer
    filterset_class = JointProposalFilterSet
    search_fields = ["title"]
    ordering_fields = ["submitted_on", "amount_requested", "updated_at"]
    update_service = staticmethod(services.update_proposal)
    delete_service = staticmethod(services.delete_proposal)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_proposal(team=data.pop("team"), user=self.request.user, data=data)
