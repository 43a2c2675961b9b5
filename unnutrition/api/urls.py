"""/api/v1/ and the OpenAPI schema and docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.views import TokenView
from core.api.filters import reject_unknown_parameters

from .dashboard import DashboardView

# What GET /api/v1/ lists: the address of every resource, for a client to start from.
ENDPOINTS = {
    "auth-token": "v1:auth-token",
    "agencies": "v1:agency-list",
    "countries": "v1:country-list",
    "regions": "v1:region-list",
    "teams": "v1:team-list",
    "focal-points": "v1:focalpoint-list",
    "convener-terms": "v1:convenerterm-list",
    "team-memberships": "v1:teammembership-list",
    "invitations": "v1:invitation-list",
    "access-requests": "v1:accessrequest-list",
    "workplans": "v1:workplan-list",
    "activities": "v1:activity-list",
    "progress-updates": "v1:progressupdate-list",
    "resources-mobilised": "v1:resourcemobilised-list",
    "contributions": "v1:contribution-list",
    "joint-proposals": "v1:jointproposal-list",
    "funders": "v1:funder-list",
    "activity-tags": "v1:tag-list",
    "outputs": "v1:output-list",
    "indicators": "v1:indicator-list",
    "indicator-values": "v1:indicatorvalue-list",
    "reporting-periods": "v1:reportingperiod-list",
    "attachments": "v1:attachment-list",
    "standard-indicators": "v1:standardindicator-list",
    "dashboard-summary": "v1:dashboard-summary",
    "reports": "v1:report-list",
    "imports": "v1:import-list",
    "endorsement-rounds": "v1:endorsementround-list",
    "amendments": "v1:amendment-list",
    "signatories": "v1:signatory-list",
    "notifications": "v1:notification-list",
    "notification-preferences": "v1:notificationpreference-list",
    "tasks": "v1:task-list",
    "deadlines": "v1:deadline-list",
    "schema": "api-schema",
    "docs": "api-docs",
}


class ApiRoot(APIView):
    """The API's entry point: the address of every resource, the schema and the docs."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in ENDPOINTS}),
    )
    def get(self, request):
        reject_unknown_parameters(request, {"format"})
        return Response({name: request.build_absolute_uri(reverse(view)) for name, view in ENDPOINTS.items()})


v1 = [
    path("", ApiRoot.as_view(), name="root"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("dashboard/summary/", DashboardView.as_view(), name="dashboard-summary"),
    path("", include("agencies.api.urls")),
    path("", include("countries.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("access.api.urls")),
    path("", include("workplans.api.urls")),
    path("", include("results.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("exchange.api.urls")),
    path("", include("cycle.api.urls")),
]


@csrf_exempt  # nothing to protect: it only ever answers 404
def not_found(request, *args, **kwargs):
    """Unknown API addresses answer JSON like the rest of the API, not the portal's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: the docs work under our strict CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    # Any path at all, one with a line break (%0A) in it too (`.` stops at a line break; `(?s)` cannot be
    # reversed by Django).
    re_path(r"^[\s\S]*$", not_found),
]
