from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^\d{1,12}(?:\.\d{1,2})?$", "example": "125000.00"}
)
class MoneyField(serializers.DecimalField):
    """An amount of money: not negative, at most 12 digits before the point and 2 after."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


# Plain-value helpers for serializers that build their representation by hand
# (rosters, activities): the same formats DRF's fields produce.
DATETIME = serializers.DateTimeField()


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


def iso_datetime(value) -> str | None:
    return DATETIME.to_representation(value) if value is not None else None


def iso_datetimes():
    """`iso_datetime` for many values at once: the reader's time zone is looked up once, not per value
    (for a page of 500 activities that was a fifth of its CPU). Same output, from DRF's own field."""
    field = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())

    def iso(value) -> str | None:
        return field.to_representation(value) if value is not None else None

    return iso


def money(value) -> str:
    return f"{value:.2f}"


# --- references to other records, with messages a person can act on -----------------


class NamedReferenceMixin:
    """'There is no workplan 999 you can use here.' instead of DRF's 'Invalid pk "999" - object does not exist.'"""

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            value = kwargs.get("pk_value", kwargs.get("value"))
            model = str(self.get_queryset().model._meta.verbose_name)
            raise serializers.ValidationError(
                _("%(model)s %(value)s does not exist, or is not one you can use here.")
                % {"model": model[:1].upper() + model[1:], "value": value},
                code=key,
            )
        if key == "incorrect_type":
            raise serializers.ValidationError(
                _("Expected an identifier, got %(type)s.") % {"type": kwargs.get("data_type", "?")}, code=key
            )
        return super().fail(key, **kwargs)


class PrimaryKeyField(NamedReferenceMixin, serializers.PrimaryKeyRelatedField):
    """A reference by id."""


class CodeField(NamedReferenceMixin, serializers.SlugRelatedField):
    """A reference by code (an agency's acronym, an SDG target's number)."""


class TextField(serializers.CharField):
    """Text, and only text: DRF's CharField takes 0 or 1.5 as "0" and "1.5", which the schema (a
    string) refuses; here a number, a list or an object is refused too ("Not a valid string.")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
