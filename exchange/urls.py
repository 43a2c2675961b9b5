from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("workplans/<int:pk>/template.xlsx", views.workplan_template, name="workplan-template"),
    path("workplans/<int:pk>/un-info.xlsx", views.workplan_uninfo, name="workplan-uninfo"),
    path("workplans/<int:pk>/iati.xml", views.workplan_iati, name="workplan-iati"),
    path("workplans/<int:pk>/import/", views.ImportUploadView.as_view(), name="workplan-import"),
    path("teams/<int:pk>/roster.xlsx", views.roster_template, name="roster-template"),
    path("teams/<int:pk>/roster-import/", views.RosterImportView.as_view(), name="roster-import"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", views.ImportActionView.as_view(action="confirm"), name="import-confirm"),
    path("imports/<int:pk>/undo/", views.ImportActionView.as_view(action="undo"), name="import-undo"),
]
