"""Portal users. A user's role in a team comes from the person record they are
linked to: a running convener term makes them a convener of that team, a
running focal point appointment a focal point. Secretariat staff are flagged
on the user itself."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import HistoricalRecords


class User(AbstractUser):
    is_secretariat = models.BooleanField(
        _("Secretariat staff"),
        default=False,
        help_text=_("Secretariat staff may read and change everything, endorse workplans and issue API tokens."),
    )
    person = models.OneToOneField(
        "countries.Person",
        verbose_name=_("person record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The portal's and your e-mails' language; empty: your browser's."),
    )
    email_notifications = models.BooleanField(
        _("send me e-mail"),
        default=True,
        help_text=_(
            "Notices about your access requests, invitations you sent and the yearly roster check. "
            "Invitations and password resets are always sent."
        ),
    )

    # Passwords are excluded from history rows: nobody needs old hashes.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")


class SecurityEvent(models.Model):
    """One line of the security log: who did what, when, from where.

    Written by accounts/security.py from Django's and the libraries' signals;
    read by the Secretariat in the admin. Never edited, so it has no history.
    """

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        SIGN_OUT = "sign_out", _("Signed out")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        ROLE_CHANGED = "role_changed", _("Role changed")
        REPORT_DOWNLOADED = "report_downloaded", _("Report downloaded")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        ACCESS_REQUESTED = "access_requested", _("Access requested")
        ACCESS_APPROVED = "access_approved", _("Access request approved")
        ACCESS_DECLINED = "access_declined", _("Access request declined")
        ROSTER_ROLE_GIVEN = "roster_role_given", _("Team role given")
        ROSTER_ROLE_ENDED = "roster_role_ended", _("Team role ended")
        HAND_OVER_PROPOSED = "hand_over_proposed", _("Hand-over proposed")
        HAND_OVER_DONE = "hand_over_done", _("Hand-over took effect")
        MEMBERSHIP_CHANGED = "membership_changed", _("Member agency changed")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices, db_index=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    username = models.CharField(_("username given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or client"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"
