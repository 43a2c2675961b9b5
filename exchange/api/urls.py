from rest_framework.routers import SimpleRouter

from .views import ImportBatchViewSet, WorkplanFilesViewSet

router = SimpleRouter()
router.register("imports", ImportBatchViewSet, basename="import")
router.register("workplan-files", WorkplanFilesViewSet, basename="workplan-files")

urlpatterns = router.urls
