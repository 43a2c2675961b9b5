from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ActivityViewSet, DashboardView, ProgressUpdateViewSet, ResourceMobilisedViewSet, WorkplanViewSet

router = SimpleRouter()
router.register("workplans", WorkplanViewSet, basename="workplan")
router.register("activities", ActivityViewSet, basename="activity")
router.register("progress-updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("resources-mobilised", ResourceMobilisedViewSet, basename="resourcemobilised")

urlpatterns = [
    path("dashboard/summary/", DashboardView.as_view(), name="dashboard-summary"),
    *router.urls,
]
