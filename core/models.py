"""Abstract building blocks shared by the apps' models."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Term(models.Model):
    """Something that holds from a start date to an (open) end date.

    The database refuses an end before the start; `end_date` empty means the
    term is still running.
    """

    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
        ]

    def runs_on(self, day) -> bool:
        """Whether the term runs on `day`, by the rule of `current_on` (for terms already loaded)."""
        return (self.start_date is None or self.start_date <= day) and (self.end_date is None or self.end_date >= day)

    @property
    def is_current(self) -> bool:
        return self.runs_on(timezone.localdate())


# "A term runs on day D": it started on or before D (or has no start date) and
# ends on or after D (or is open-ended). The one definition: querysets filter
# with `current_on` (teams' terms: `.running_on(day)`), loaded terms ask
# `Term.runs_on`; nothing else spells the dates out.
def current_on(day, prefix: str = "") -> Q:
    """Q for terms running on `day`; `prefix` reaches a related term ("terms__")."""
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )
