from django.urls import path

from . import lists, views

app_name = "results"
urlpatterns = [
    path("values/", lists.ValueListView.as_view(), name="values"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("outputs/<int:pk>/indicators/new/", views.IndicatorCreateView.as_view(), name="indicator-create"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path("indicators/<int:pk>/edit/", views.IndicatorUpdateView.as_view(), name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views.IndicatorDeleteView.as_view(), name="indicator-delete"),
    path("workplans/<int:pk>/periods/<int:period>/", views.PeriodValuesView.as_view(), name="period-values"),
    path("values/<int:pk>/edit/", views.ValueUpdateView.as_view(), name="value-edit"),
    path("values/<int:pk>/approve/", views.ValueActionView.as_view(action="approve"), name="value-approve"),
    path("values/<int:pk>/return/", views.ValueActionView.as_view(action="return"), name="value-return"),
    path("values/<int:pk>/unlock/", views.ValueActionView.as_view(action="unlock"), name="value-unlock"),
    path("values/<int:pk>/delete/", views.ValueActionView.as_view(action="delete"), name="value-delete"),
    path(
        "evidence/new/<slug:target_type>/<int:target_id>/",
        views.AttachmentCreateView.as_view(),
        name="attachment-create",
    ),
    path("evidence/<int:pk>/file/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("evidence/<int:pk>/edit/", views.AttachmentUpdateView.as_view(), name="attachment-edit"),
    path("evidence/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment-delete"),
]
