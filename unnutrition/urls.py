from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .health import healthz

admin.site.site_header = "UN Nutrition Coordination Portal"
admin.site.site_title = "UN Nutrition"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("coverage-map.svg", views.coverage_map, name="coverage-map"),
    path("history/<str:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
    path("countries/", include("countries.urls")),
    path("teams/", include("teams.urls")),
    path("workplans/", include("workplans.urls")),
    path("reports/", include("reports.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("unnutrition.api.urls")),
]

handler500 = "unnutrition.views.server_error"
