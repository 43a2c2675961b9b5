from rest_framework.routers import SimpleRouter

from .views import AccessRequestViewSet, InvitationViewSet

router = SimpleRouter()
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("access-requests", AccessRequestViewSet, basename="accessrequest")
urlpatterns = router.urls
