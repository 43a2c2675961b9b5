from rest_framework.routers import SimpleRouter

from .views import CountryViewSet, RegionViewSet

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("regions", RegionViewSet, basename="region")
urlpatterns = router.urls
