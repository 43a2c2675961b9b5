from django.urls import path

from . import funding_views, lists, views, workflow_views

app_name = "workplans"
urlpatterns = [
    path("activities/", lists.ActivityListView.as_view(), name="activities"),
    path("activities/<int:pk>/contributions/", funding_views.ContributionsView.as_view(), name="contributions"),
    path("contributions/<int:pk>/edit/", funding_views.ContributionEditView.as_view(), name="contribution-edit"),
    path("contributions/<int:pk>/delete/", funding_views.ContributionDeleteView.as_view(), name="contribution-delete"),
    path("teams/<int:pk>/proposals/", funding_views.ProposalListView.as_view(), name="proposals"),
    path("teams/<int:pk>/proposals/new/", funding_views.ProposalCreateView.as_view(), name="proposal-create"),
    path("proposals/<int:pk>/edit/", funding_views.ProposalUpdateView.as_view(), name="proposal-edit"),
    path("proposals/<int:pk>/document/", funding_views.ProposalDocumentView.as_view(), name="proposal-document"),
    path("<int:pk>/", views.WorkplanDetailView.as_view(), name="detail"),
    path("<int:pk>/activities/new/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("<int:pk>/submit/", workflow_views.WorkflowActionView.as_view(action="submit"), name="submit"),
    path("<int:pk>/endorse/", workflow_views.WorkflowActionView.as_view(action="endorse"), name="endorse"),
    path("<int:pk>/return/", workflow_views.WorkflowActionView.as_view(action="return"), name="return"),
    path("<int:pk>/acknowledge/", workflow_views.WorkflowActionView.as_view(action="acknowledge"), name="acknowledge"),
    path("<int:pk>/reopen/", workflow_views.WorkflowActionView.as_view(action="reopen"), name="reopen"),
    path("<int:pk>/endorsement/", workflow_views.EndorsementView.as_view(), name="endorsement"),
    path("<int:pk>/amend/", workflow_views.AmendmentCreateView.as_view(), name="amend"),
    path("amendments/<int:pk>/", workflow_views.AmendmentDetailView.as_view(), name="amendment"),
    path("teams/<int:pk>/signatories/", workflow_views.SignatoriesView.as_view(), name="signatories"),
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
