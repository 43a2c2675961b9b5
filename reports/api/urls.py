from rest_framework.routers import SimpleRouter

from .views import ReportRunViewSet

router = SimpleRouter()
router.register("reports", ReportRunViewSet, basename="report")

urlpatterns = router.urls
