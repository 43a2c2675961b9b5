import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ModelValidationMixin:
    """Run the model's own validation (clean(), check and unique constraints) before saving.

    DRF checks field types and unique-together, but not check constraints or
    clean(): without this a rule the database enforces would surface as a 500
    instead of a 400 naming the field.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        values = {k: v for k, v in attrs.items() if k not in m2m}
        if self.instance is not None:
            instance = copy.copy(self.instance)  # validate a copy; save() applies attrs later
            for name, value in values.items():
                setattr(instance, name, value)
        else:
            instance = model(**values)
        try:
            instance.full_clean(exclude=list(m2m))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
            ) from exc
        return attrs


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


def money(value) -> str:
    return f"{value:.2f}"
