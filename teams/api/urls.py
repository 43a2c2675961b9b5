from rest_framework.routers import SimpleRouter

from .entries import ConvenerTermViewSet, FocalPointViewSet, TeamMembershipViewSet
from .views import TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("focal-points", FocalPointViewSet, basename="focalpoint")
router.register("convener-terms", ConvenerTermViewSet, basename="convenerterm")
router.register("team-memberships", TeamMembershipViewSet, basename="teammembership")
urlpatterns = router.urls
