from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import PreferencesView
from agencies.views import GovernanceView
from countries.views import CountryListView

from . import attention, views
from .health import healthz

admin.site.site_header = "UN Nutrition Coordination Portal"
admin.site.site_title = "UN Nutrition"
admin.site.index_title = "Administration"

# The list is the countries app's; a country's page spans teams and workplans (views.py).
country_pages = [
    path("", CountryListView.as_view(), name="list"),
    path("<str:iso3>/", views.CountryDetailView.as_view(), name="detail"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/attention/<slug:kind>/", attention.AttentionView.as_view(), name="attention"),
    path("coverage-map.svg", views.coverage_map, name="coverage-map"),
    path("history/<str:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
    path("countries/", include((country_pages, "countries"))),
    path("teams/", include("teams.urls")),
    path("governance/", GovernanceView.as_view(), name="governance"),
    path("workplans/", include("workplans.urls")),
    path("results/", include("results.urls")),
    path("reports/", include("reports.urls")),
    path("exchange/", include("exchange.urls")),
    path("access/", include("access.urls")),
    path("", include("cycle.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"oidc_provider": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else ""},
        ),
        name="login",
    ),
    path("accounts/preferences/", PreferencesView.as_view(), name="preferences"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("unnutrition.api.urls")),
]

if settings.OIDC_ENABLED:
    # Single sign-on with an agency's OpenID Connect provider (accounts/oidc.py), when configured.
    urlpatterns.insert(-1, path("oidc/", include("mozilla_django_oidc.urls")))

handler500 = "unnutrition.views.server_error"
