"""/api/v1/ and the OpenAPI schema and docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.views import TokenView

v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("", include("agencies.api.urls")),
    path("", include("countries.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("workplans.api.urls")),
    path("", include("reports.api.urls")),
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
    re_path(r"^.*$", not_found),
]
