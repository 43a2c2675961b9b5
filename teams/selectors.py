"""Reads of team rosters, shaped once for the API, the CSV export and the portal."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.models import current_on

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


def unconfirmed(queryset, now: dt.datetime, days: int):
    """Entries (focal points or convener terms) not confirmed in the last `days` days."""
    return queryset.filter(Q(last_confirmed_at__isnull=True) | Q(last_confirmed_at__lt=now - dt.timedelta(days=days)))


def unconfirmed_focal_points(now=None):
    """Running focal points not confirmed for ROSTER_UNCONFIRMED_DAYS: the one rule of the team page,
    the dashboard's attention list and the data-quality report."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    return unconfirmed(
        FocalPoint.objects.filter(current_on(day), current_on(day, "member__")), now, settings.ROSTER_UNCONFIRMED_DAYS
    )


def unconfirmed_convener_terms(now=None):
    """Running convener terms not confirmed for ROSTER_UNCONFIRMED_DAYS."""
    now = now or timezone.now()
    return unconfirmed(
        ConvenerTerm.objects.filter(current_on(timezone.localdate(now))), now, settings.ROSTER_UNCONFIRMED_DAYS
    )


def unconfirmed_ids(team: Team) -> tuple[set[int], set[int]]:
    """Ids of the team's flagged focal points and convener terms (two small queries)."""
    return (
        set(unconfirmed_focal_points().filter(member__team=team).values_list("pk", flat=True)),
        set(unconfirmed_convener_terms().filter(team=team).values_list("pk", flat=True)),
    )
