from rest_framework.routers import SimpleRouter

from .views import (
    AttachmentViewSet,
    IndicatorValueViewSet,
    IndicatorViewSet,
    OutputViewSet,
    ReportingPeriodViewSet,
    StandardIndicatorViewSet,
)

router = SimpleRouter()
router.register("outputs", OutputViewSet, basename="output")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="indicatorvalue")
router.register("reporting-periods", ReportingPeriodViewSet, basename="reportingperiod")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("standard-indicators", StandardIndicatorViewSet, basename="standardindicator")

urlpatterns = router.urls
