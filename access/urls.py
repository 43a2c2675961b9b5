from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("invitations/", views.InvitationListView.as_view(), name="invitations"),
    path("invitations/<int:pk>/resend/", views.InvitationActionView.as_view(action="resend"), name="resend"),
    path("invitations/<int:pk>/revoke/", views.InvitationActionView.as_view(action="revoke"), name="revoke"),
    path("invitations/<int:pk>/confirm/", views.InvitationActionView.as_view(action="confirm"), name="confirm"),
    path("join/<str:token>/", views.AcceptView.as_view(), name="accept"),
    path("hand-over/<int:pk>/", views.HandOverView.as_view(), name="hand-over"),
    path("leave/<int:pk>/", views.LeaveView.as_view(), name="leave"),
    path("check/<str:token>/", views.RosterCheckView.as_view(), name="check"),
    path("requests/", views.AccessRequestListView.as_view(), name="requests"),
    path("requests/new/<int:team>/", views.AccessRequestCreateView.as_view(), name="request-create"),
    path("requests/<int:pk>/", views.AccessRequestDecideView.as_view(), name="request-decide"),
    path("requests/<int:pk>/withdraw/", views.AccessRequestWithdrawView.as_view(), name="request-withdraw"),
]
