"""The global governance of UN Nutrition: member agencies, the Steering Committee, the Chair, the Secretariat's host."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F
from django.utils import timezone
from django.views.generic import TemplateView

from core.models import current_on

from .identifiers import iati_identifier
from .models import Agency, ChairTerm, SteeringCommitteeSeat


class GovernanceView(LoginRequiredMixin, TemplateView):
    template_name = "agencies/governance.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        agencies = list(
            Agency.objects.exclude(membership=Agency.Membership.NONE).select_related("parent").order_by("acronym")
        )
        for agency in agencies:
            agency.iati = iati_identifier(agency.acronym)
        seats = SteeringCommitteeSeat.objects.select_related("agency").order_by(
            F("start_date").desc(nulls_last=True), "agency__acronym"
        )
        chairs = ChairTerm.objects.select_related("person", "agency").order_by(F("start_date").desc(nulls_last=True))
        return {
            **super().get_context_data(**kwargs),
            "agencies": agencies,
            "regional_offices": Agency.objects.filter(kind=Agency.Kind.REGIONAL_OFFICE).select_related("parent"),
            "current_seats": list(seats.filter(current_on(today)).order_by("seat_type", "agency__acronym")),
            "past_seats": list(seats.exclude(current_on(today))),
            "chair": chairs.filter(current_on(today)).first(),
            "chairs": list(chairs),
            "host": Agency.objects.filter(hosts_secretariat=True).first(),
        }
