from rest_framework.routers import SimpleRouter

from .views import CountryViewSet

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
urlpatterns = router.urls
