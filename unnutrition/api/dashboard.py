"""GET /api/v1/dashboard/summary/: the dashboard's figures and its "needs attention" lists.

It spans workplans (the figures) and reports (the data-quality rules behind the
lists), so it lives with the other cross-app pieces; the page
(unnutrition/views.py) shows the same two things from the same selectors.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import versions
from core.api.conditional import ConditionalMixin
from core.api.filters import reject_unknown_parameters
from reports.selectors import attention_lists
from workplans.api.serializers import DashboardQuerySerializer, DashboardSerializer
from workplans.selectors import dashboard_summary

# As many rows of each list as the dashboard page shows; the counts are complete.
ATTENTION_ROWS = 20


class AttentionTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class AttentionWorkplanSerializer(AttentionTeamSerializer):
    workplan_status = serializers.CharField(allow_null=True, help_text="draft, or null: no workplan at all.")


class AttentionActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    workplan = serializers.IntegerField(source="workplan_id")
    team = serializers.CharField(source="workplan__team__name")
    last_progress_at = serializers.DateTimeField(allow_null=True)


class AttentionListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All of them; `rows` holds the first 20.")


class TeamsAttentionSerializer(AttentionListSerializer):
    rows = AttentionTeamSerializer(many=True)


class WorkplansAttentionSerializer(AttentionListSerializer):
    rows = AttentionWorkplanSerializer(many=True)


class ActivitiesAttentionSerializer(AttentionListSerializer):
    rows = AttentionActivitySerializer(many=True)


class NeedsAttentionSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="The date workplans are due for the year.")
    stale_days = serializers.IntegerField(help_text="Days without progress after which an activity is listed.")
    teams_without_convener = TeamsAttentionSerializer()
    workplans_not_submitted = WorkplansAttentionSerializer()
    stale_activities = ActivitiesAttentionSerializer()


class SummarySerializer(DashboardSerializer):
    needs_attention = NeedsAttentionSerializer()


def needs_attention(year: int) -> dict:
    lists = attention_lists(year, limit=ATTENTION_ROWS)
    names = ("teams_without_convener", "workplans_not_submitted", "stale_activities")
    return {
        "due": lists["due"],
        "stale_days": lists["stale_days"],
        **{name: {"count": lists[f"{name}_count"], "rows": lists[name]} for name in names},
    }


class DashboardView(ConditionalMixin, APIView):
    """The Secretariat dashboard for one year (default: this year): its figures and what needs attention."""

    # The same for every caller: one answer per year in the versioned cache (core.api.conditional).
    cache_scopes = (versions.TEAMS, versions.WORKPLANS)

    @extend_schema(parameters=[DashboardQuerySerializer], responses=SummarySerializer)
    def get(self, request):
        reject_unknown_parameters(request, {"year", "format"})
        # An empty value means "not given", as for every filter of the API.
        query = DashboardQuerySerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        summary = {**dashboard_summary(year), "needs_attention": needs_attention(year)}
        return Response(SummarySerializer(summary).data)
