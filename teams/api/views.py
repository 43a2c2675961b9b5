from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from accounts.rules import is_secretariat
from core import versions
from core.api.renderers import CSVStreamingRenderer, JSONRenderer
from core.api.viewsets import ReadOnlyViewSet
from teams.filtersets import TeamFilterSet
from teams.models import Team, team_roles

from .roster import CSV_HEADER, roster_csv_rows, rosters, team_rows
from .serializers import RosterSerializer


class RosterCSVRenderer(CSVStreamingRenderer):
    header = CSV_HEADER
    format = "csv"
    # Excel reads a CSV without a byte-order mark as the local code page: "García" would break.
    bom = True


def csv_file_name(query_params) -> str:
    """ "un-nutrition-rosters-khm-wfp-2026-12-04.csv": what was asked for, and when."""
    parts = [
        slugify(value)
        for name in ("country", "region", "agency", "kind", "search", "q")
        for value in query_params.getlist(name)
        if value
    ]
    return "-".join(["un-nutrition-rosters", *(parts or ["all"]), timezone.localdate().isoformat()])[:150] + ".csv"


class TeamViewSet(ReadOnlyViewSet):
    """Team rosters: conveners now and before, member agencies, focal points, platforms.

    E-mail and phone of focal points are shown for the caller's own teams (all
    teams for the Secretariat) and null elsewhere. `?format=csv` returns the
    rosters of every matching team as CSV, one row per focal point.
    """

    queryset = Team.objects.order_by("name")
    serializer_class = RosterSerializer
    filterset_class = TeamFilterSet
    search_fields = ["name", "country__name", "country__iso_alpha3"]
    ordering_fields = ["name", "country__name", "updated_at"]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, RosterCSVRenderer]
    # Answers are kept in the versioned cache, apart for each set of teams whose contacts the caller sees.
    cache_scopes = (versions.TEAMS,)
    # TeamFilterSet narrows nothing unless a filter is given: `?page_size=50` skips building it.
    plain_list_skips_filters = True

    def cache_variant(self, request) -> str:
        return contacts_key(request.user)

    def retrieve(self, request, *args, **kwargs):
        try:
            pk = int(kwargs["pk"])
        except (TypeError, ValueError):
            raise NotFound() from None
        found = rosters(team_rows(self.filter_queryset(self.get_queryset()).filter(pk=pk)), request.user)
        if not found:
            raise NotFound()
        return Response(found[0].data)

    def handle_exception(self, exc):
        # An error is a message, not a roster: answer it as JSON even to ?format=csv.
        if (
            getattr(self.request, "accepted_renderer", None) is not None
            and self.request.accepted_renderer.format == "csv"
        ):
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["json", "csv"], description="csv: one row per focal point"
            )
        ],
        # One description per status code in OpenAPI, so the JSON entry (the first) tells of both.
        responses={
            (200, "application/json"): OpenApiResponse(
                RosterSerializer,
                description="JSON: the rosters, a page at a time. CSV (`?format=csv`): every matching team, "
                "not paged, one row per focal point (or per member agency without one), in the columns "
                + ", ".join(CSV_HEADER)
                + ".",
            ),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            teams = self.filter_queryset(self.get_queryset())
            # Rows as a list, not a stream: the answer gets an ETag like the JSON (and 304 when unchanged).
            response = Response(list(roster_csv_rows(teams, request.user)))
            response["Content-Disposition"] = f'attachment; filename="{csv_file_name(request.query_params)}"'
            return response
        page = self.paginate_queryset(team_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([roster.data for roster in rosters(page, request.user)])


def contacts_key(user) -> str:
    """Which teams' contacts `user` sees (teams.rules.view_team_contacts), as part of a cache key:
    "all" for the Secretariat, else the ids of the user's own teams ("" for a viewer).

    The roles come from the cache when the team data has not changed since they were read (today),
    so a conditional request costs no query beyond authentication.
    """
    if is_secretariat(user):
        return "all"
    if not getattr(user, "person_id", None):
        return ""
    if getattr(user, "_team_roles", None) is None and versions.usable():
        key = f"team-roles:{versions.current(versions.TEAMS)[0]}:{timezone.localdate()}:{user.person_id}"
        roles = cache.get(key)
        if roles is None:
            roles = team_roles(user)
            cache.set(key, roles, versions.TIMEOUT)
        user._team_roles = roles
    return ",".join(str(pk) for pk in sorted(team_roles(user).team_ids))
