"""Portal users. A user's role in a team comes from the person record they are
linked to: a running convener term makes them a convener of that team, a
running focal point appointment a focal point. Secretariat staff are flagged
on the user itself."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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

    # Passwords are excluded from history rows: nobody needs old hashes.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
