from django.urls import path

from . import views

app_name = "workplans"
urlpatterns = [
    path("<int:pk>/", views.WorkplanDetailView.as_view(), name="detail"),
    path("<int:pk>/activities/new/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("<int:pk>/submit/", views.WorkflowView.as_view(action="submit"), name="submit"),
    path("<int:pk>/endorse/", views.WorkflowView.as_view(action="endorse"), name="endorse"),
    path("<int:pk>/reopen/", views.WorkflowView.as_view(action="reopen"), name="reopen"),
    path("<int:pk>/copy/", views.CopyWorkplanView.as_view(), name="copy"),
    path("<int:pk>/restore/<int:history_id>/", views.RestoreActivityView.as_view(), name="activity-restore"),
    path("activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity-edit"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity-delete"),
    path("activities/<int:pk>/progress/", views.ProgressCreateView.as_view(), name="progress-create"),
    path("<int:pk>/outputs/new/", views.OutputCreateView.as_view(), name="output-create"),
    path("outputs/<int:pk>/edit/", views.OutputUpdateView.as_view(), name="output-edit"),
    path("outputs/<int:pk>/delete/", views.OutputDeleteView.as_view(), name="output-delete"),
    path("periods/", views.PeriodListView.as_view(), name="periods"),
    path("periods/new/", views.PeriodCreateView.as_view(), name="period-create"),
    path("periods/<int:pk>/close/", views.PeriodActionView.as_view(action="close"), name="period-close"),
    path("periods/<int:pk>/reopen/", views.PeriodActionView.as_view(action="reopen"), name="period-reopen"),
]
