"""Reads of team rosters, shaped once for the API, the CSV export and the portal."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from .models import ConvenerTerm, FocalPoint, Team, TeamMember, TeamPlatform


def roster_queryset() -> QuerySet[Team]:
    """Teams with everything a roster shows, in a fixed number of queries."""
    return (
        Team.objects.select_related("country__region", "region", "country__sun_membership__government_focal_point")
        .prefetch_related(
            Prefetch(
                "convener_terms",
                queryset=ConvenerTerm.objects.select_related("agency", "person").order_by("-start_date", "-id"),
            ),
            Prefetch(
                "members",
                queryset=TeamMember.objects.select_related("agency")
                .prefetch_related(
                    Prefetch(
                        "focal_points",
                        queryset=FocalPoint.objects.select_related("person").order_by("-is_primary", "person__name"),
                    )
                )
                .order_by("agency__acronym"),
            ),
            Prefetch("platform_links", queryset=TeamPlatform.objects.select_related("platform")),
            "clusters",
            "action_areas",
            "national_frameworks",
        )
        .order_by("name")
    )


def current_term(team: Team, role: str) -> ConvenerTerm | None:
    """The running term in `role`, from the prefetched terms (no query)."""
    return running_term(team.convener_terms.all(), role)


def running_term(terms: Iterable[ConvenerTerm], role: str) -> ConvenerTerm | None:
    """The running term in `role` among a team's `terms` (newest first, as `roster_queryset` has them)."""
    return next((t for t in terms if t.role == role and t.is_current), None)
