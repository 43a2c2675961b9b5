from rest_framework.routers import SimpleRouter

from .views import ImportBatchViewSet, RosterFilesViewSet, WorkplanFilesViewSet

router = SimpleRouter()
router.register("imports", ImportBatchViewSet, basename="import")
router.register("workplan-files", WorkplanFilesViewSet, basename="workplan-files")
router.register("roster-files", RosterFilesViewSet, basename="roster-files")

urlpatterns = router.urls
