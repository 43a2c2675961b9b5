"""People and access: invitations by e-mail into a team role, and requests for access.

An invitation names a person (by e-mail) and the role they are offered in a team:
convener or co-convener (for an agency or the Resident Coordinator's office),
focal point of a member agency, or viewer. Its link carries a random token of
which only a hash is stored; it works once, until it expires. Accepting it sets
a password (or links the account that already has the address), links or
creates the person record and gives the role (access.services).

A convener hand-over is an invitation that `replaces_term`: it takes effect when
the successor (or the Secretariat) accepts it, ending the outgoing term the day
before the new one starts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_secretariat
from core.models import HistoricalRecords
from teams.models import team_roles


class Role(models.TextChoices):
    CONVENER = "convener", _("Convener")
    CO_CONVENER = "co_convener", _("Co-convener")
    FOCAL_POINT = "focal_point", _("Focal point")
    VIEWER = "viewer", _("Viewer")


CONVENING_ROLES = (Role.CONVENER, Role.CO_CONVENER)
# What an access request asks for (to be a convener, one is invited or handed over to).
REQUESTABLE_ROLES = [(Role.FOCAL_POINT.value, Role.FOCAL_POINT.label)]


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The Secretariat sees every invitation; a team's conveners and focal points their team's,
        and anyone the invitations they sent. Viewers see none (the addresses are personal)."""
        if is_secretariat(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(Q(team_id__in=team_roles(user).team_ids) | Q(invited_by=user))

    def editable_by(self, user):
        """Resend or revoke: the Secretariat, the team's conveners, and whoever sent it."""
        if is_secretariat(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(Q(team_id__in=team_roles(user).convener_of) | Q(invited_by=user))

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text=_("Empty only for a viewer invited by the Secretariat."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_resident_coordinator = models.BooleanField(_("for the Resident Coordinator's office"), default=False)
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    starts_on = models.DateField(_("role starts"), null=True, blank=True)
    message = models.CharField(_("personal message"), max_length=1000, blank=True)
    replaces_term = models.ForeignKey(
        "teams.ConvenerTerm",
        verbose_name=_("hand-over of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hand_overs",
    )
    replaces_focal_point = models.ForeignKey(
        "teams.FocalPoint",
        verbose_name=_("successor of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successor_invitations",
    )
    focal_point = models.ForeignKey(
        "teams.FocalPoint",
        verbose_name=_("roster entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text=_("A focal point already on the roster, invited to sign in."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["token_hash"])
    objects = InvitationQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="viewer") | Q(team__isnull=False),
                name="invitation_team_role_has_team",
                violation_error_message=_("Choose the team for this role."),
            ),
            models.CheckConstraint(
                condition=~Q(role="focal_point") | Q(agency__isnull=False),
                name="invitation_focal_point_has_agency",
                violation_error_message=_("Choose the member agency the focal point is for."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["convener", "co_convener"])
                | Q(agency__isnull=False)
                | Q(by_resident_coordinator=True),
                name="invitation_convener_agency_or_rc",
                violation_error_message=_(
                    "Name the convening agency, or tick 'for the Resident Coordinator's office'."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()}, {self.team or '—'})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_hand_over(self) -> bool:
        return self.replaces_term_id is not None


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Your own requests; a team's conveners and focal points also see their team's; the Secretariat all."""
        if is_secretariat(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(Q(requester=user) | Q(team_id__in=team_roles(user).team_ids))

    def editable_by(self, user):
        """Approve or decline: the Secretariat and the team's conveners (never their own: the service says so)."""
        if is_secretariat(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(Q(team_id__in=team_roles(user).convener_of) | Q(requester=user))


class AccessRequest(models.Model):
    """A signed-in user asks to become a focal point of a team's member agency."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="access_requests"
    )
    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="access_requests"
    )
    role = models.CharField(_("role"), max_length=16, choices=REQUESTABLE_ROLES, default=Role.FOCAL_POINT)
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    message = models.CharField(
        _("who you are"), max_length=1000, help_text=_("For example: I am WFP's nutrition focal point in Chad.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason given"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    history = HistoricalRecords()
    objects = AccessRequestQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "team"],
                condition=Q(status="pending"),
                name="access_request_one_pending_per_team",
                violation_error_message=_("You have already asked for access to this team: wait for the answer."),
            ),
        ]

    def __str__(self):
        return f"{self.requester} → {self.team} ({self.agency})"
