"""The workplans app's domain events, turned into notifications for the people who can act.

Each receiver runs inside the transaction of the event (workplans/signals.py), in a savepoint of its
own: the notifications are committed with the event, or not at all, and a fault here is logged
without undoing the event (people can still see the state on the workplan's page and their tasks).
"""

from __future__ import annotations

import functools
import logging

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from workplans import signals
from workplans.models import EndorsementRequest

from . import selectors, services
from .models import Kind

logger = logging.getLogger(__name__)


def guarded(receiver):
    @functools.wraps(receiver)
    def wrapper(sender, **kwargs):
        try:
            with transaction.atomic():
                receiver(sender, **kwargs)
        except Exception:  # never undo the workflow step for a notification
            logger.exception("Could not record the notifications of %s", receiver.__name__)

    return wrapper


def name_of(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def team_people(team_id: int) -> set[int]:
    roles = selectors.people_of([team_id]).get(team_id, {"conveners": set(), "focal_points": set()})
    return roles["conveners"] | roles["focal_points"]


def conveners(team_id: int) -> set[int]:
    return selectors.people_of([team_id]).get(team_id, {"conveners": set()})["conveners"]


def signatory_users(round_) -> dict[int, str]:
    """{user id: the agency they sign for} of a round's requests."""
    found = {}
    for request in round_.requests.select_related("agency", "signatory__user"):
        user = getattr(request.signatory, "user", None) if request.signatory_id else None
        if user is not None and user.is_active:
            found.setdefault(user.pk, request.agency.acronym if request.agency_id else "")
    return found


def base_params(workplan) -> dict:
    return {"team": workplan.team.name, "year": workplan.year}


@guarded
def on_submitted(sender, *, workplan, round, user, **kwargs):
    params = base_params(workplan) | {
        "round": round.number,
        "respond_by": round.respond_by.isoformat(),
        "comment": round.comment,
        "by": name_of(user),
    }
    if round.amendment_id:
        params |= {"amendment": round.amendment.number, "amendment_kind": round.amendment.kind}
    link = reverse("workplans:endorsement", args=[workplan.pk])
    event = f"round:{round.pk}:submitted"
    for user_id, agency in signatory_users(round).items():
        services.notify(recipients=[user_id], kind=Kind.WORKPLAN_SUBMITTED, event=event, team=workplan.team,
                        params=params | {"signs_for": agency}, link=link)  # fmt: skip
    services.notify(recipients=conveners(workplan.team_id), kind=Kind.WORKPLAN_SUBMITTED, event=event,
                    team=workplan.team, params=params, link=link)  # fmt: skip


@guarded
def on_endorsement_given(sender, *, workplan, round, request, user, **kwargs):
    waiting = [
        r.agency.acronym if r.agency_id else ""
        for r in round.requests.filter(status=EndorsementRequest.Status.PENDING).select_related("agency")
    ]
    params = base_params(workplan) | {
        "agency": request.agency.acronym if request.agency_id else "",
        "by": name_of(user),
        "comment": request.comment,
        "on_behalf": request.on_behalf,
        "waiting": waiting,
    }
    services.notify(
        recipients=conveners(workplan.team_id) - {getattr(user, "pk", None)},
        kind=Kind.ENDORSEMENT_GIVEN,
        event=f"request:{request.pk}:endorsed",
        team=workplan.team,
        params=params,
        link=reverse("workplans:endorsement", args=[workplan.pk]),
    )


@guarded
def on_returned(sender, *, workplan, round, reason, user, **kwargs):
    people = team_people(workplan.team_id)
    if round is not None:
        people |= set(signatory_users(round))
        event = f"round:{round.pk}:returned"
    else:
        event = f"workplan:{workplan.pk}:returned:{timezone.now().isoformat()}"
    services.notify(
        recipients=people - {getattr(user, "pk", None)},
        kind=Kind.WORKPLAN_RETURNED,
        event=event,
        team=workplan.team,
        params=base_params(workplan) | {"reason": reason, "by": name_of(user)},
        link=reverse("workplans:endorsement", args=[workplan.pk]),
    )


@guarded
def on_endorsed(sender, *, workplan, round, user, **kwargs):
    people = team_people(workplan.team_id)
    params = base_params(workplan)
    if round is not None:
        people |= set(signatory_users(round))
        event = f"round:{round.pk}:endorsed"
        params["no_objection"] = round.requests.filter(status=EndorsementRequest.Status.NO_OBJECTION).exists()
        if round.amendment_id:
            params["amendment"] = round.amendment.number
    else:
        event = f"workplan:{workplan.pk}:endorsed:{workplan.endorsed_at.isoformat()}"
    services.notify(
        recipients=people,
        kind=Kind.WORKPLAN_ENDORSED,
        event=event,
        team=workplan.team,
        params=params,
        link=reverse("workplans:endorsement", args=[workplan.pk]),
    )


@guarded
def on_acknowledged(sender, *, workplan, comment, user, **kwargs):
    services.notify(
        recipients=conveners(workplan.team_id),
        kind=Kind.WORKPLAN_ACKNOWLEDGED,
        event=f"workplan:{workplan.pk}:acknowledged:{workplan.acknowledged_at.isoformat()}",
        team=workplan.team,
        params=base_params(workplan) | {"comment": comment},
        link=reverse("workplans:endorsement", args=[workplan.pk]),
    )


def on_amendment(action: str):
    @guarded
    def receiver(sender, *, amendment, user, **kwargs):
        workplan = amendment.workplan
        services.notify(
            recipients=team_people(workplan.team_id) - {getattr(user, "pk", None)},
            kind=Kind.AMENDMENT,
            event=f"amendment:{amendment.pk}:{action}",
            team=workplan.team,
            params=base_params(workplan)
            | {"action": action, "number": amendment.number, "kind": amendment.kind, "reason": amendment.reason},
            link=amendment.get_absolute_url(),
        )

    receiver.__name__ = f"on_amendment_{action}"
    return receiver


on_amendment_started = on_amendment("started")
on_amendment_approved = on_amendment("approved")
on_amendment_withdrawn = on_amendment("withdrawn")


def prime_unread_count(sender, request, user, **kwargs):
    """At sign-in, the header bell's figure goes into the cache: pages then show it without a query."""
    try:
        selectors.unread_count(user)
    except Exception:  # a sign-in never fails for the bell
        logger.exception("Could not count the unread notifications of user %s", getattr(user, "pk", None))


def connect() -> None:
    user_logged_in.connect(prime_unread_count, dispatch_uid="cycle.prime_unread_count")
    for signal, receiver in (
        (signals.workplan_submitted, on_submitted),
        (signals.endorsement_given, on_endorsement_given),
        (signals.workplan_returned, on_returned),
        (signals.workplan_endorsed, on_endorsed),
        (signals.workplan_acknowledged, on_acknowledged),
        (signals.amendment_started, on_amendment_started),
        (signals.amendment_approved, on_amendment_approved),
        (signals.amendment_withdrawn, on_amendment_withdrawn),
    ):
        signal.connect(receiver, dispatch_uid=f"cycle.{receiver.__name__}")
