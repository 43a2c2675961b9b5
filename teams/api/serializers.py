from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import iso_date, iso_datetime
from countries.api.serializers import SunStatusSerializer, sun_status
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember, TeamPlatform
from teams.rules import view_team_contacts
from teams.selectors import current_term


class ConvenerTermSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="acronym", read_only=True, allow_null=True, help_text="Empty when the Resident Coordinator convenes."
    )
    person = serializers.CharField(source="person.__str__", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ConvenerTerm
        fields = ["role", "agency", "by_resident_coordinator", "person", "start_date", "end_date"]


class FocalPointSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    title = serializers.CharField(source="person.title")
    email = serializers.SerializerMethodField(help_text="Only for your own teams (or the Secretariat); else null.")
    phone = serializers.SerializerMethodField(help_text="Only for your own teams (or the Secretariat); else null.")

    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone", "is_primary", "start_date", "end_date"]

    def _visible(self) -> bool:
        return self.context.get("contacts_visible", False)

    def get_email(self, focal_point) -> str | None:
        return focal_point.person.email if self._visible() else None

    def get_phone(self, focal_point) -> str | None:
        return focal_point.person.phone if self._visible() else None


class MemberSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="acronym", read_only=True)
    agency_name = serializers.CharField(source="agency.name")
    focal_points = serializers.SerializerMethodField()

    class Meta:
        model = TeamMember
        fields = ["agency", "agency_name", "start_date", "end_date", "focal_points"]

    @extend_schema_field(FocalPointSerializer(many=True))
    def get_focal_points(self, member):
        return FocalPointSerializer(member.focal_points.all(), many=True, context=self.context).data


class PlatformLinkSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="platform.name")
    government_led = serializers.BooleanField(source="platform.government_led")
    is_sun_platform = serializers.BooleanField(source="platform.is_sun_platform")
    functioning = serializers.CharField(source="platform.functioning")
    chairing_ministry = serializers.CharField(source="platform.chairing_ministry")
    meeting_frequency = serializers.CharField(source="platform.meeting_frequency")

    class Meta:
        model = TeamPlatform
        fields = [
            "name",
            "government_led",
            "is_sun_platform",
            "functioning",
            "chairing_ministry",
            "meeting_frequency",
            "since",
        ]


class RosterSerializer(serializers.ModelSerializer):
    """A team's roster: conveners now and before, members and focal points, platforms."""

    country = serializers.SlugRelatedField(slug_field="iso_alpha3", read_only=True, allow_null=True)
    country_name = serializers.CharField(source="country.name", read_only=True, allow_null=True, default=None)
    region = serializers.SerializerMethodField(help_text="The group's region, or its country's UN sub-region.")
    convener = serializers.SerializerMethodField()
    co_convener = serializers.SerializerMethodField()
    convener_history = ConvenerTermSerializer(source="convener_terms", many=True, read_only=True)
    members = serializers.SerializerMethodField()
    platforms = PlatformLinkSerializer(source="platform_links", many=True, read_only=True)
    clusters = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    action_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    national_frameworks = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    sun = serializers.SerializerMethodField()
    contacts_visible = serializers.SerializerMethodField(help_text="Whether e-mails and phones are shown to you.")

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "country_name",
            "region",
            "parent",
            "is_active",
            "established_on",
            "meeting_frequency",
            "works_with_resident_coordinator",
            "convener",
            "co_convener",
            "convener_history",
            "members",
            "platforms",
            "clusters",
            "action_areas",
            "national_frameworks",
            "sun",
            "contacts_visible",
            "updated_at",
        ]

    # The declared fields above document the roster (OpenAPI) and are what a
    # client gets; building them through ~400 nested serializer instances per
    # page cost 60% of the request, so to_representation builds the same
    # dictionaries directly from the prefetched rows. Schemathesis checks the
    # result against the documented schema.
    def to_representation(self, team):
        today = timezone.localdate()
        visible = self._contacts_visible(team)
        terms = list(team.convener_terms.all())

        def running(term) -> bool:
            return (term.start_date is None or term.start_date <= today) and (
                term.end_date is None or term.end_date >= today
            )

        def term_data(term):
            if term is None:
                return None
            return {
                "role": term.role,
                "agency": term.agency.acronym if term.agency_id else None,
                "by_resident_coordinator": term.by_resident_coordinator,
                "person": str(term.person) if term.person_id else None,
                "start_date": iso_date(term.start_date),
                "end_date": iso_date(term.end_date),
            }

        def current(role):
            return term_data(next((t for t in terms if t.role == role and running(t)), None))

        country = team.country
        region = team.region or (country.region if country else None)
        return {
            "id": team.pk,
            "name": team.name,
            "kind": team.kind,
            "country": country.iso_alpha3 if country else None,
            "country_name": country.name if country else None,
            "region": region.slug if region else None,
            "parent": team.parent_id,
            "is_active": team.is_active,
            "established_on": iso_date(team.established_on),
            "meeting_frequency": team.meeting_frequency,
            "works_with_resident_coordinator": team.works_with_resident_coordinator,
            "convener": current(ConvenerTerm.Role.CONVENER),
            "co_convener": current(ConvenerTerm.Role.CO_CONVENER),
            "convener_history": [term_data(t) for t in terms],
            "members": [
                {
                    "agency": member.agency.acronym,
                    "agency_name": member.agency.name,
                    "start_date": iso_date(member.start_date),
                    "end_date": iso_date(member.end_date),
                    "focal_points": [
                        {
                            "name": fp.person.name,
                            "title": fp.person.title,
                            "email": fp.person.email if visible else None,
                            "phone": fp.person.phone if visible else None,
                            "is_primary": fp.is_primary,
                            "start_date": iso_date(fp.start_date),
                            "end_date": iso_date(fp.end_date),
                        }
                        for fp in member.focal_points.all()
                    ],
                }
                for member in team.members.all()
            ],
            "platforms": [
                {
                    "name": link.platform.name,
                    "government_led": link.platform.government_led,
                    "is_sun_platform": link.platform.is_sun_platform,
                    "functioning": link.platform.functioning,
                    "chairing_ministry": link.platform.chairing_ministry,
                    "meeting_frequency": link.platform.meeting_frequency,
                    "since": iso_date(link.since),
                }
                for link in team.platform_links.all()
            ],
            "clusters": [cluster.name for cluster in team.clusters.all()],
            "action_areas": [area.code for area in team.action_areas.all()],
            "national_frameworks": [framework.name for framework in team.national_frameworks.all()],
            "sun": sun_status(country) if country else None,
            "contacts_visible": visible,
            "updated_at": iso_datetime(team.updated_at),
        }

    def get_region(self, team) -> str | None:
        region = team.region or (team.country.region if team.country_id else None)
        return region.slug if region else None

    def _contacts_visible(self, team) -> bool:
        request = self.context.get("request")
        return bool(request) and view_team_contacts.test(request.user, team)

    @extend_schema_field(ConvenerTermSerializer(allow_null=True))
    def get_convener(self, team):
        term = current_term(team, ConvenerTerm.Role.CONVENER)
        return ConvenerTermSerializer(term).data if term else None

    @extend_schema_field(ConvenerTermSerializer(allow_null=True))
    def get_co_convener(self, team):
        term = current_term(team, ConvenerTerm.Role.CO_CONVENER)
        return ConvenerTermSerializer(term).data if term else None

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, team):
        context = {**self.context, "contacts_visible": self._contacts_visible(team)}
        return MemberSerializer(team.members.all(), many=True, context=context).data

    @extend_schema_field(SunStatusSerializer(allow_null=True))
    def get_sun(self, team):
        return sun_status(team.country) if team.country_id else None

    def get_contacts_visible(self, team) -> bool:
        return self._contacts_visible(team)


CSV_HEADER = [
    "team_id",
    "team",
    "kind",
    "country",
    "region",
    "convener",
    "co_convener",
    "agency",
    "focal_point",
    "title",
    "email",
    "phone",
    "focal_point_since",
]


def roster_rows(teams, user):
    """One CSV row per focal point (or per member agency without one)."""
    for team in teams:
        visible = view_team_contacts.test(user, team)
        convener = current_term(team, ConvenerTerm.Role.CONVENER)
        co_convener = current_term(team, ConvenerTerm.Role.CO_CONVENER)
        region = team.region or (team.country.region if team.country_id else None)
        base = {
            "team_id": team.pk,
            "team": team.name,
            "kind": team.kind,
            "country": team.country.iso_alpha3 if team.country_id else "",
            "region": region.name if region else "",
            "convener": str(convener.agency or "Resident Coordinator") if convener else "",
            "co_convener": str(co_convener.agency or "Resident Coordinator") if co_convener else "",
        }
        for member in team.members.all():
            focal_points = list(member.focal_points.all()) or [None]
            for fp in focal_points:
                yield {
                    **base,
                    "agency": member.agency.acronym,
                    "focal_point": fp.person.name if fp else "",
                    "title": fp.person.title if fp else "",
                    "email": fp.person.email if fp and visible else "",
                    "phone": fp.person.phone if fp and visible else "",
                    "focal_point_since": fp.start_date if fp and fp.start_date else "",
                }
