from rest_framework.routers import SimpleRouter

from .views import ActivityViewSet, ProgressUpdateViewSet, ResourceMobilisedViewSet, WorkplanViewSet

router = SimpleRouter()
router.register("workplans", WorkplanViewSet, basename="workplan")
router.register("activities", ActivityViewSet, basename="activity")
router.register("progress-updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("resources-mobilised", ResourceMobilisedViewSet, basename="resourcemobilised")

urlpatterns = router.urls
