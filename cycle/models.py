"""The yearly cycle: the Secretariat's deadlines, notifications in the portal and by e-mail, and each
person's choice of how to receive them.

E-mail goes through an outbox (`Email`): a row is written in the transaction that records the
notification (or by the digest job), and sent afterwards by a Celery job that claims one row at a
time; see cycle/delivery.py for how a row is sent exactly once.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_secretariat
from core.models import HistoricalRecords, TimeStamped
from teams.models import TeamScopedQuerySet


class DeadlineQuerySet(TeamScopedQuerySet):
    def editable_by(self, user):
        """Only the Secretariat sets deadlines (global ones and per-team exceptions)."""
        return self if is_secretariat(user) else self.none()


class Deadline(TimeStamped):
    """A day something of the yearly cycle is due: for every team (no team), or a team's exception."""

    class Kind(models.TextChoices):
        WORKPLAN_DRAFT = "workplan_draft", _("Workplan drafted")
        WORKPLAN_SUBMISSION = "workplan_submission", _("Workplan submitted for endorsement")
        WORKPLAN_ENDORSEMENT = "workplan_endorsement", _("Workplan endorsed")
        MID_YEAR = "mid_year", _("Mid-year update")
        ANNUAL = "annual", _("Annual report")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("what is due"), max_length=24, choices=Kind.choices)
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadlines",
        help_text=_("Empty: the deadline of every team. A team's own date is an exception to it."),
    )
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = DeadlineQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["-year", "due_on", "kind", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind"],
                condition=Q(team__isnull=True),
                name="deadline_one_global_per_kind",
                violation_error_message=_("This year already has this deadline: change it."),
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "team"],
                condition=Q(team__isnull=False),
                name="deadline_one_exception_per_team",
                violation_error_message=_("This team already has its own date for this deadline: change it."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}: {self.due_on}" + (f" ({self.team})" if self.team_id else "")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("By e-mail at once")
    DAILY = "daily", _("In a daily e-mail")
    WEEKLY = "weekly", _("In a weekly e-mail")
    OFF = "off", _("In the portal only")


class Kind(models.TextChoices):
    WORKPLAN_SUBMITTED = "workplan_submitted", _("A workplan is submitted for endorsement")
    ENDORSEMENT_GIVEN = "endorsement_given", _("A member agency endorsed a workplan")
    WORKPLAN_RETURNED = "workplan_returned", _("A workplan is returned")
    WORKPLAN_ENDORSED = "workplan_endorsed", _("A workplan is endorsed")
    WORKPLAN_ACKNOWLEDGED = "workplan_acknowledged", _("The Secretariat acknowledged a workplan")
    AMENDMENT = "amendment", _("An amendment is started, approved or withdrawn")
    DEADLINE_NEAR = "deadline_near", _("A deadline is near")
    DEADLINE_OVERDUE = "deadline_overdue", _("Something is overdue")
    SECRETARIAT_DIGEST = "secretariat_digest", _("The Secretariat's weekly digest")


# How each kind reaches people who have not chosen.
DEFAULT_DELIVERY = {
    Kind.WORKPLAN_SUBMITTED: Delivery.IMMEDIATE,
    Kind.ENDORSEMENT_GIVEN: Delivery.DAILY,
    Kind.WORKPLAN_RETURNED: Delivery.IMMEDIATE,
    Kind.WORKPLAN_ENDORSED: Delivery.IMMEDIATE,
    Kind.WORKPLAN_ACKNOWLEDGED: Delivery.DAILY,
    Kind.AMENDMENT: Delivery.IMMEDIATE,
    Kind.DEADLINE_NEAR: Delivery.IMMEDIATE,
    Kind.DEADLINE_OVERDUE: Delivery.IMMEDIATE,
    Kind.SECRETARIAT_DIGEST: Delivery.IMMEDIATE,
}


class NotificationPreference(models.Model):
    """How one person receives one kind of notification (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_choices"
    )
    kind = models.CharField(_("notification"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("how"), max_length=16, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notification_preference_one_per_kind",
                violation_error_message=_("This kind of notification already has a choice."),
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.delivery}"


def new_token() -> str:
    return secrets.token_hex(12)


class Email(models.Model):
    """One e-mail of the outbox: a notification sent at once, or a digest of several.

    Status: queued -> sending (claimed by an attempt) -> sent. A failure the server reported (or a
    connection that failed before the message was complete) goes back to queued with a later
    `next_attempt_at`, and to failed after EMAIL_MAX_ATTEMPTS. A sender that stopped after handing
    over the message's end but before recording the server's answer leaves it unconfirmed: not sent
    again automatically (it may have arrived), shown to the Secretariat. See cycle/delivery.py.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        UNCONFIRMED = "unconfirmed", _("Sending interrupted: arrival unknown")
        DISMISSED = "dismissed", _("Dismissed by the Secretariat")

    class Form(models.TextChoices):
        SINGLE = "single", _("One notification")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=10)
    form = models.CharField(_("form"), max_length=8, choices=Form.choices, default=Form.SINGLE)
    # What makes it unique ("n:42", "daily:7:2026-05-04"): the digest job can run twice and write one row.
    key = models.CharField(max_length=100, unique=True)
    token = models.CharField(max_length=24, default=new_token, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    data_sent_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.key} → {self.to} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same on every attempt, so a receiving system can tell a second copy of it."""
        domain = settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
        return f"<notification-{self.pk}.{self.token}@{domain}>"


class Notification(models.Model):
    """Something a person should know or act on, in the portal (the bell) and, as they chose, by e-mail.

    Recorded once per person and event (`event`, e.g. "round:12:submitted"): a job or a receiver
    that runs twice records nothing more. Its text is made in the reader's language when shown or
    sent, from `kind` and `params`.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    event = models.CharField(_("event"), max_length=150)
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)
    email = models.ForeignKey(
        Email, verbose_name=_("e-mail"), null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"],
                name="notification_once_per_event",
                violation_error_message=_("This person was already notified of this."),
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["delivery", "email"], condition=Q(email__isnull=True), name="notification_digest_due"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.event}"
