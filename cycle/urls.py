from django.urls import path

from . import views

app_name = "cycle"
urlpatterns = [
    path("tasks/", views.TasksView.as_view(), name="tasks"),
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
    path("notifications/<int:pk>/open/", views.OpenNotificationView.as_view(), name="open"),
    path("notifications/settings/", views.PreferencesView.as_view(), name="preferences"),
    path("notifications/e-mail/<str:token>/", views.EmailSettingsView.as_view(), name="email-settings"),
    path("notifications/undelivered/", views.UndeliveredView.as_view(), name="undelivered"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
]
