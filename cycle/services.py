"""Every write of the yearly cycle: deadlines, notifications and their delivery choices, the jobs that
record reminders and digests, and the Secretariat's handling of e-mails that could not be delivered.

A notification is recorded once per person and event (the unique `event` key): in the transaction of
the event itself (cycle/receivers.py) or by a job that may run twice. An e-mail sent at once is an
outbox row written in the same transaction; digests are rows the digest job writes. The rows are sent
after the commit by cycle/delivery.py (through Celery, see `dispatch`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_secretariat
from core import versions
from core.services import Precondition, StateConflict, lock_for_write
from teams.models import Team
from workplans import services as workplan_services
from workplans.models import ReportingPeriod

from . import selectors
from .models import DEFAULT_DELIVERY, Deadline, Delivery, Email, Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)
User = get_user_model()

SEND_EMAILS_TASK = "cycle.tasks.send_emails"


def language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def deliveries_for(users, kind: str) -> dict[int, str]:
    """{user id: how `kind` reaches them}: their choice, else the kind's default; `off` for anyone without
    an e-mail address or who turned e-mail off in their preferences (one query)."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    found = {}
    for user in users:
        delivery = chosen.get(user.pk, DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATE))
        if not (user.email and user.email_notifications):
            delivery = Delivery.OFF
        found[user.pk] = delivery
    return found


def notify(*, recipients, kind: str, event: str, team: Team | None = None, params=None, link: str = "") -> int:
    """Record `kind` for each active recipient (users or user ids) once for `event`; an immediate one
    gets its outbox e-mail in the same transaction. Returns how many were recorded now."""
    ids = {getattr(r, "pk", r) for r in recipients if r is not None}
    users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    if not users:
        return 0
    deliveries = deliveries_for(users, kind)
    recorded = []
    with transaction.atomic():
        for user in users:
            delivery = deliveries[user.pk]
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        recipient=user,
                        kind=kind,
                        event=event[:150],
                        team=team,
                        params=params or {},
                        link=link,
                        delivery=delivery,
                    )
            except IntegrityError:
                continue  # recorded before (a job or a receiver that ran twice)
            if delivery == Delivery.IMMEDIATE:
                notification.email = Email.objects.create(
                    recipient=user,
                    to=user.email,
                    language=language_of(user),
                    form=Email.Form.SINGLE,
                    key=f"n:{notification.pk}",
                )
                notification.save(update_fields=["email"])
            recorded.append(notification)
    if recorded:
        user_ids = [n.recipient_id for n in recorded]
        transaction.on_commit(lambda: forget_unread(user_ids))
        if any(n.email_id for n in recorded):
            transaction.on_commit(dispatch)
    return len(recorded)


def forget_unread(user_ids) -> None:
    cache.delete_many([selectors.UNREAD_KEY.format(pk) for pk in set(user_ids)])


# --- sending ----------------------------------------------------------------------------------------------------


def dispatch() -> bool:
    """Ask a worker to send the outbox now (after a commit). Without a broker (`make run`) the batch
    runs here. A broker that does not answer costs nothing: the rows wait, and beat's every-minute
    run (or a worker connecting) sends them. Returns whether the job was handed over (or ran)."""
    try:
        if current_app.conf.task_always_eager:
            from .delivery import send_batch

            send_batch(worker="in-process")
            return True
        current_app.tasks[SEND_EMAILS_TASK].apply_async(task_id=str(uuid.uuid4()), retry=False, expires=600)
        return True
    except Exception as exc:  # the broker refused or is away: the outbox keeps the rows
        logger.warning("The job queue did not take the e-mail job (%s: %s); beat sends the e-mails later",
                       exc.__class__.__name__, exc)  # fmt: skip
        return False


# --- reading ------------------------------------------------------------------------------------------------------


def mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read: `ids` (theirs only; others are ignored), or all of them."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    count = queryset.update(read_at=timezone.now())
    forget_unread([user.pk])
    return count


@transaction.atomic
def set_preferences(*, user, choices: dict[str, str]) -> None:
    """{kind: delivery} for the user; unknown kinds or ways are refused, naming them."""
    errors = {}
    for kind, delivery in choices.items():
        if kind not in Kind.values:
            errors[kind] = [_("Not a kind of notification.")]
        elif delivery not in Delivery.values:
            errors[kind] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Delivery.values)}]
    if errors:
        raise ValidationError(errors)
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def preferences_of(user) -> dict[str, str]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


# --- deadlines ------------------------------------------------------------------------------------------------------


def check_set_deadlines(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat sets the deadlines of the yearly cycle."))


PERIOD_OF = {Deadline.Kind.MID_YEAR: ReportingPeriod.Kind.MID_YEAR, Deadline.Kind.ANNUAL: ReportingPeriod.Kind.ANNUAL}


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def set_deadline(*, user, year: int, kind: str, due_on: dt.date, team: Team | None = None, note: str = "") -> Deadline:
    """Set a deadline for every team (no team) or a team's exception. A global mid-year or annual
    deadline is also its reporting period's due date, when the period exists."""
    check_set_deadlines(user)
    deadline = Deadline.objects.select_for_update(of=("self",)).filter(year=year, kind=kind, team=team).first()
    if deadline is None:
        deadline = Deadline(year=year, kind=kind, team=team)
    deadline.due_on, deadline.note = due_on, (note or "").strip()
    _validate_deadline(deadline)
    deadline.save()
    if team is None and kind in PERIOD_OF:
        period = ReportingPeriod.objects.filter(year=year, kind=PERIOD_OF[kind]).first()
        if period is not None and period.due_date != due_on:
            try:
                workplan_services.update_period(pk=period.pk, user=user, data={"due_date": due_on})
            except ValidationError as error:
                raise ValidationError({"due_on": error.messages}) from None
    return deadline


def _validate_deadline(deadline: Deadline) -> None:
    errors = {}
    if deadline.due_on and not (deadline.year - 1 <= deadline.due_on.year <= deadline.year + 1):
        errors["due_on"] = [
            _("A deadline of %(year)s falls between %(first)s and %(last)s.")
            % {"year": deadline.year, "first": deadline.year - 1, "last": deadline.year + 1}
        ]
    if errors:
        raise ValidationError(errors)
    deadline.full_clean()


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_deadline(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> Deadline:
    deadline = lock_for_write(Deadline.objects.select_related("team"), pk, precondition)
    check_set_deadlines(user)
    for name in ("year", "kind", "team"):
        if name in data and data[name] != getattr(deadline, name):
            raise ValidationError({name: _("A deadline keeps its year, kind and team: add another one instead.")})
    return set_deadline(
        user=user,
        year=deadline.year,
        kind=deadline.kind,
        team=deadline.team,
        due_on=data.get("due_on", deadline.due_on),
        note=data.get("note", deadline.note),
    )


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_deadline(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Remove a deadline (a team's exception: the global date applies again). The history keeps it."""
    deadline = lock_for_write(Deadline.objects.all(), pk, precondition)
    check_set_deadlines(user)
    deadline.delete()


# --- the jobs ---------------------------------------------------------------------------------------------------------

# Reminders before a deadline: days before it, the first stage reached is sent once.
REMIND_DAYS = (14, 7, 0)


def remind_deadlines(*, today: dt.date | None = None) -> int:
    """Daily: for every active team's deadline not met, remind its focal points (the convener in copy)
    14 and 7 days before and on the day, then every week it is overdue. Each reminder is recorded once
    (the event names the stage), so a run missed or repeated sends each stage once. Returns how many
    notifications were recorded."""
    today = today or timezone.localdate()
    teams = list(Team.objects.filter(is_active=True).only("pk", "name", "name_translations", "name_language"))
    items = [i for i in selectors.schedule(teams, [today.year - 1, today.year], today) if not i.done]
    people = selectors.people_of({i.team.pk for i in items})
    recorded = 0
    for item in items:
        days = (item.due_on - today).days
        if days > REMIND_DAYS[0]:
            continue
        if days >= 0:
            stage = min(d for d in REMIND_DAYS if d >= days)
            kind, event = Kind.DEADLINE_NEAR, f"deadline:{item.team.pk}:{item.year}:{item.kind}:{item.due_on}:d{stage}"
            params = {"days": days}
        else:
            week = (-days - 1) // 7
            kind = Kind.DEADLINE_OVERDUE
            event = f"overdue:{item.team.pk}:{item.year}:{item.kind}:{item.due_on}:w{week}"
            params = {"days_late": -days}
        params |= {"deadline": item.kind, "year": item.year, "due_on": item.due_on.isoformat(),
                   "team": item.team.name, "missing": item.missing}  # fmt: skip
        roles = people.get(item.team.pk, {"conveners": set(), "focal_points": set()})
        focal_points = roles["focal_points"] - roles["conveners"]
        recorded += notify(
            recipients=focal_points, kind=kind, event=event, team=item.team, params=params, link=item.link
        )
        recorded += notify(
            recipients=roles["conveners"], kind=kind, event=event, team=item.team, params=params | {"copy": True},
            link=item.link,
        )  # fmt: skip
    return recorded


def window_key(form: str, now: dt.datetime) -> str:
    day = timezone.localdate(now)
    if form == Email.Form.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def make_digests(*, form: str, now: dt.datetime | None = None) -> int:
    """Gather each person's notifications waiting for their daily (or weekly) e-mail into one outbox
    row per person and window; run twice, it writes nothing more. Returns how many e-mails it wrote."""
    now = now or timezone.now()
    window = window_key(form, now)
    waiting = Notification.objects.filter(delivery=form, email__isnull=True, created_at__lte=now)
    written = 0
    for user_id in waiting.values_list("recipient_id", flat=True).distinct().order_by("recipient_id"):
        with transaction.atomic():
            user = User.objects.filter(pk=user_id, is_active=True).first()
            mine = list(
                waiting.filter(recipient_id=user_id).select_for_update(skip_locked=True).values_list("pk", flat=True)
            )
            if user is None or not mine or not (user.email and user.email_notifications):
                Notification.objects.filter(pk__in=mine).update(delivery=Delivery.OFF)
                continue
            email, created = Email.objects.get_or_create(
                key=f"{form}:{user_id}:{window}",
                defaults={"recipient": user, "to": user.email, "language": language_of(user), "form": form},
            )
            if not created and email.status != Email.Status.QUEUED:
                continue  # this window's e-mail is on its way: the rest waits for the next window
            Notification.objects.filter(pk__in=mine).update(email=email)
            written += created
    if written:
        transaction.on_commit(dispatch)
    return written


def secretariat_digest(*, today: dt.date | None = None) -> int:
    """Weekly: the Secretariat's digest (teams behind schedule, workplans to acknowledge, e-mails not
    delivered), recorded once per week for each active Secretariat member."""
    today = today or timezone.localdate()
    behind = selectors.behind_schedule(today)
    year, week, _weekday = today.isocalendar()
    params = {
        "behind": [{"team": i.team.name, "deadline": i.kind, "due_on": i.due_on.isoformat()} for i in behind[:100]],
        "to_acknowledge": selectors.to_acknowledge().count(),
        "undelivered": selectors.undelivered_emails().count(),
    }
    staff = User.objects.filter(is_secretariat=True, is_active=True)
    return notify(
        recipients=list(staff), kind=Kind.SECRETARIAT_DIGEST, event=f"secretariat-digest:{year}-W{week:02d}",
        params=params, link=reverse("cycle:tasks"),
    )  # fmt: skip


# --- e-mails the Secretariat handles -------------------------------------------------------------------------------


def check_handle_emails(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat handles e-mails that could not be delivered."))


@transaction.atomic
def resend_email(*, pk: int, user) -> Email:
    """Send a failed or unconfirmed e-mail again (same Message-ID), after checking with its recipient."""
    check_handle_emails(user)
    email = lock_for_write(Email.objects.all(), pk)
    if email.status not in (Email.Status.FAILED, Email.Status.UNCONFIRMED):
        raise StateConflict(
            _("This e-mail is %(status)s: only one that failed or whose arrival is unknown is sent again.")
            % {"status": email.get_status_display().lower()},
            email.status,
        )
    email.status, email.next_attempt_at, email.attempts = Email.Status.QUEUED, None, 0
    email.last_error = _("Sent again by %(name)s.") % {"name": user.get_username()}
    email.save()
    transaction.on_commit(dispatch)
    return email


@transaction.atomic
def dismiss_email(*, pk: int, user) -> Email:
    """Take a failed or unconfirmed e-mail off the list (it arrived, or it no longer matters)."""
    check_handle_emails(user)
    email = lock_for_write(Email.objects.all(), pk)
    if email.status not in (Email.Status.FAILED, Email.Status.UNCONFIRMED):
        raise StateConflict(_("Only an e-mail that failed or whose arrival is unknown is dismissed."), email.status)
    email.status = Email.Status.DISMISSED
    email.last_error = (email.last_error + " " + _("Dismissed by %(name)s.") % {"name": user.get_username()})[:500]
    email.save()
    return email
