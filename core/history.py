"""Readable change history from django-simple-history: who, when, field, before, after."""

from simple_history.utils import get_m2m_reverse_field_name

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _display(field, value) -> str:
    """A value as a person reads it: related objects by name, choices by label."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):  # many-to-many snapshot, already names
        return ", ".join(sorted(value)) or "—"
    return str(value)


def history_entries(records) -> list[dict]:
    """Newest first; each with the changed fields as (label, before, after)."""
    ordered = list(records.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for record in ordered:
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            model = record.instance_type
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                old, new = change.old, change.new
                if field.many_to_many:
                    related = get_m2m_reverse_field_name(field)
                    old, new = [str(row[related]) for row in old], [str(row[related]) for row in new]
                changes.append((field.verbose_name, _display(field, old), _display(field, new)))
        entries.append(
            {
                "record": record,
                "action": ACTIONS.get(record.history_type, record.history_type),
                "user": record.history_user,
                "date": record.history_date,
                "changes": changes,
            }
        )
        previous = record
    return entries[::-1]
