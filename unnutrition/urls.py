from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from .health import healthz

admin.site.site_header = "UN Nutrition Coordination Portal"
admin.site.site_title = "UN Nutrition"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("unnutrition.api.urls")),
    path("reports/", include("reports.urls")),
]
