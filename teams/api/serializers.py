"""The roster's shape, declared once for the OpenAPI schema; its values come from `teams.api.roster.rosters`.

The API's views build rosters with `rosters(...)` from plain rows;
`RosterSerializer.to_representation` returns the same for one team, with
exactly these keys, in this order. The
fields below (and the nested serializers) are what the schema is generated from;
they are not run per value, which cost most of a roster request.
"""

from rest_framework import serializers

from countries.api.serializers import SunStatusSerializer
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember, TeamPlatform

from .roster import rosters, team_rows

CONTACT_HELP = "Only for your own teams (or the Secretariat); else null."


# The shape of an answer, for the schema: every field is in every answer, so every
# field is required (a comment, not a docstring, which the schema would inherit).
class AnswerSerializer(serializers.ModelSerializer):
    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        if not kwargs.get("read_only"):
            kwargs["required"] = True  # whatever the model's default: required means present in the answer
        return field_class, kwargs


class ConvenerTermSerializer(AnswerSerializer):
    agency = serializers.CharField(
        read_only=True, allow_null=True, help_text="Empty when the Resident Coordinator convenes."
    )
    person = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)

    class Meta:
        model = ConvenerTerm
        fields = ["role", "agency", "by_resident_coordinator", "person", "email", "phone", "start_date", "end_date"]


class FocalPointSerializer(AnswerSerializer):
    name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text=CONTACT_HELP)

    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone", "is_primary", "start_date", "end_date"]


class MemberSerializer(AnswerSerializer):
    agency = serializers.CharField(read_only=True)
    agency_iati_identifier = serializers.CharField(
        read_only=True, allow_null=True, help_text="IATI organisation identifier, e.g. XM-DAC-41140; null if none."
    )
    agency_name = serializers.CharField()
    focal_points = FocalPointSerializer(many=True, read_only=True)

    class Meta:
        model = TeamMember
        fields = ["agency", "agency_iati_identifier", "agency_name", "start_date", "end_date", "focal_points"]


class PlatformLinkSerializer(AnswerSerializer):
    name = serializers.CharField()
    government_led = serializers.BooleanField()
    is_sun_platform = serializers.BooleanField()
    functioning = serializers.CharField()
    chairing_ministry = serializers.CharField()
    meeting_frequency = serializers.CharField()

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


class RosterSerializer(AnswerSerializer):
    """A team's roster: conveners now and before, members and focal points, platforms."""

    country = serializers.CharField(read_only=True, allow_null=True, label="ISO alpha-3")
    country_m49 = serializers.CharField(
        read_only=True, allow_null=True, help_text="The country's UN M49 (ISO 3166 numeric) code, e.g. 116."
    )
    country_name = serializers.CharField(read_only=True, allow_null=True)
    region = serializers.CharField(
        read_only=True, allow_null=True, help_text="The group's region, or its country's UN sub-region."
    )
    convener = ConvenerTermSerializer(read_only=True, allow_null=True)
    co_convener = ConvenerTermSerializer(read_only=True, allow_null=True)
    convener_history = ConvenerTermSerializer(many=True, read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    platforms = PlatformLinkSerializer(many=True, read_only=True)
    clusters = serializers.ListField(child=serializers.CharField(), read_only=True)
    action_areas = serializers.ListField(child=serializers.CharField(), read_only=True)
    national_frameworks = serializers.ListField(child=serializers.CharField(), read_only=True)
    sun = SunStatusSerializer(read_only=True, allow_null=True)
    contacts_visible = serializers.BooleanField(
        read_only=True, help_text="Whether e-mails and phones are shown to you."
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "country_m49",
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

    def to_representation(self, team):
        request = self.context.get("request")
        return rosters(team_rows(Team.objects.filter(pk=team.pk)), request.user if request else None)[0].data
