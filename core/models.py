"""Abstract building blocks shared by the apps' models."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import models as simple_history
from simple_history.signals import post_create_historical_m2m_records, pre_create_historical_m2m_records
from simple_history.utils import get_m2m_field_name

from .statements import STAND_IN, Statement


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


class HistoricalRecords(simple_history.HistoricalRecords):
    """django-simple-history's, with a cheaper many-to-many snapshot on each save.

    simple_history reads each many-to-many field's rows with every foreign key joined and built
    as a model (whole activities and agencies) only to copy their ids: for an activity with five
    such fields that was five model-building queries, about 5 ms of CPU on every save. Here each
    field's rows are read as ids, by a statement compiled once per connection (core.statements);
    the history rows written and the signals sent are the same.
    """

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            history_model = self.m2m_models[field]
            through = getattr(history_instance.instance, field.name).through
            columns = [through_field.attname for through_field in through._meta.fields]
            rows = [
                history_model(history=history_instance, **dict(zip(columns, row, strict=True)))
                for row in _through_rows(through, get_m2m_field_name(field), columns).tuples(instance.pk)
            ]
            pre_create_historical_m2m_records.send(
                sender=history_model, rows=rows, history_instance=history_instance, instance=instance, field=field
            )
            created = history_model.objects.bulk_create(rows)
            post_create_historical_m2m_records.send(
                sender=history_model,
                created_rows=created,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )


_through_statements: dict[tuple, Statement] = {}


def _through_rows(through, owner: str, columns: list[str]) -> Statement:
    key = (through._meta.label, owner)
    found = _through_statements.get(key)
    if found is None:
        found = _through_statements[key] = Statement(
            lambda pk: through.objects.filter(**{owner: pk}).order_by("pk").values_list(*columns),
            STAND_IN,
            name=f"history-m2m:{through._meta.label}",
        )
    return found
