from rest_framework.routers import SimpleRouter

from .views import DeadlineViewSet, NotificationPreferenceViewSet, NotificationViewSet, TaskViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("notification-preferences", NotificationPreferenceViewSet, basename="notificationpreference")
router.register("tasks", TaskViewSet, basename="task")
router.register("deadlines", DeadlineViewSet, basename="deadline")

urlpatterns = router.urls
