from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("", views.TeamListView.as_view(), name="list"),
    path("<int:pk>/", views.TeamDetailView.as_view(), name="detail"),
    path("<int:pk>/focal-points/new/", views.AddFocalPointView.as_view(), name="focal-point-add"),
    path("<int:pk>/members/propose/", views.ProposeMemberView.as_view(), name="member-propose"),
    path("focal-points/<int:pk>/edit/", views.EditFocalPointView.as_view(), name="focal-point-edit"),
    path("focal-points/<int:pk>/end/", views.EndFocalPointView.as_view(), name="focal-point-end"),
    path(
        "focal-points/<int:pk>/primary/",
        views.FocalPointActionView.as_view(action="primary"),
        name="focal-point-primary",
    ),
    path(
        "focal-points/<int:pk>/confirm/",
        views.FocalPointActionView.as_view(action="confirm"),
        name="focal-point-confirm",
    ),
    path("convener-terms/<int:pk>/contacts/", views.ConvenerContactsView.as_view(), name="term-contacts"),
    path("convener-terms/<int:pk>/confirm/", views.ConfirmTermView.as_view(), name="term-confirm"),
    path("proposals/<int:pk>/", views.DecideProposalView.as_view(), name="proposal-decide"),
]
