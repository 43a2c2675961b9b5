from rest_framework import serializers

from agencies.identifiers import iati_identifier
from agencies.models import Agency


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="acronym", read_only=True, allow_null=True, help_text="For a regional office."
    )
    steering_committee = serializers.SerializerMethodField()
    iati_identifier = serializers.SerializerMethodField(help_text="IATI organisation identifier, e.g. XM-DAC-41140.")

    class Meta:
        model = Agency
        fields = [
            "acronym",
            "name",
            "kind",
            "membership",
            "membership_through",
            "parent",
            "hosts_secretariat",
            "headquarters",
            "website",
            "iati_identifier",
            "steering_committee",
        ]

    def get_iati_identifier(self, agency) -> str | None:
        return iati_identifier(agency.acronym)

    def get_steering_committee(self, agency) -> list[dict]:
        # `current`: the seat runs today (an open seat known only "as of" a date, `stated_on`, does).
        return [
            {
                "seat": seat.seat_type,
                "start_date": seat.start_date,
                "end_date": seat.end_date,
                "stated_on": seat.stated_on,
                "current": seat.is_current,
            }
            for seat in agency.sc_seats.all()
        ]
