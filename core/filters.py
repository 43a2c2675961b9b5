"""Filters shared by the portal's lists and the API: strict about what they accept.

django-filter's defaults quietly ignore a value they cannot read (`?sun_member=abc`,
`?year=0.5`); a client then gets the unfiltered list and believes it filtered.
These answer 400 naming the parameter instead.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

TRUE, FALSE, EMPTY = {"true", "1", "yes"}, {"false", "0", "no"}, {"", "unknown"}


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """The yes/no select, handing the raw value to the field (which judges it). No choice reads
    "Any" (not filtered), not Django's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.Field):
    widget = RawNullBooleanSelect

    def to_python(self, value):
        text = "" if value is None else str(value).strip().lower()
        if text in EMPTY:
            return None
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    """A year between 2000 and 2100, as a whole number."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("help_text", "A year, 2000-2100.")
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class CodeMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Choices by their code (`?action_area=capacity`), documented as a string."""


class PortalFilterSet(django_filters.FilterSet):
    """Base of every filter set: model booleans get the strict filter too."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


@extend_schema_field({"type": "string", "format": "date-time", "example": "2026-12-01T00:00:00Z"})
class ModifiedSinceFilter(django_filters.IsoDateTimeFilter):
    """`?modified_since=2026-12-01T00:00:00Z` (or a date): records changed at or after that moment, for
    clients that keep a copy in sync. A value that is not an ISO 8601 date or time answers 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", _("Changed since"))
        kwargs.setdefault("help_text", "ISO 8601 date or date-time; records changed at or after it.")
        self.field_name_in_query = kwargs.pop("query_name", "modified_since")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            # The database compares in UTC: an offset it cannot hold (+16:00) becomes UTC here, and a
            # moment that falls outside the years 1-9999 is refused naming the parameter, never a 500.
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:
                raise ValidationError(
                    {self.field_name_in_query: [_("Give a date and time between the years 1 and 9999.")]}
                ) from None
        return super().filter(qs, value)
