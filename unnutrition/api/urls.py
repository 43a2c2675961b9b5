"""/api/v1/ and the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .auth import TokenView

v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("", include("agencies.api.urls")),
    path("", include("countries.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("workplans.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: the docs work under our strict CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
