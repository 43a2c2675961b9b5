from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .filtersets import TeamListFilterSet
from .rules import view_team_contacts
from .selectors import current_term, roster_queryset
from .tables import TeamTable


class TeamListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    template_name = "teams/team_list.html"
    table_class = TeamTable
    filterset_class = TeamListFilterSet
    paginate_by = 50

    def get_queryset(self):
        return roster_queryset()


class TeamDetailView(LoginRequiredMixin, TemplateView):
    """A team's page: convener history, members and focal points, platforms, SUN status, workplans."""

    template_name = "teams/team_detail.html"

    def get_context_data(self, **kwargs):
        team = get_object_or_404(roster_queryset(), pk=self.kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "team": team,
            "convener": current_term(team, "convener"),
            "co_convener": current_term(team, "co_convener"),
            "contacts_visible": view_team_contacts.test(self.request.user, team),
            "workplans": team.workplans.order_by("-year"),
            "subteams": team.subteams.all(),
        }
