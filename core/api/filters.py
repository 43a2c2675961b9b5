"""Filter backends that refuse what they cannot honour, instead of quietly ignoring it.

A script that asks for `?ordering=bogus` or `?colour=red` and gets 200 believes
the list is ordered or filtered. These answer 400, naming the parameter and
the values it takes.
"""

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter

# Always accepted: DRF's format override.
COMMON_PARAMETERS = {"format"}


def accepted_parameters(view, request) -> set[str]:
    """The query parameters this view reads: its filters, search, ordering and paging."""
    names = set(COMMON_PARAMETERS) | set(getattr(view, "extra_query_parameters", ()))
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        names |= set(filterset_class.base_filters)
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, SearchFilter) and getattr(view, "search_fields", None):
            names.add(backend.search_param)
        if issubclass(backend, OrderingFilter) and getattr(view, "ordering_fields", None):
            names.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None and getattr(view, "action", None) == "list":
        names |= {paginator.page_query_param, paginator.page_size_query_param}
    return names


def reject_unknown_parameters(request, accepted: set[str]) -> None:
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        message = _("Unknown parameter. This address takes: %(names)s.") % {"names": ", ".join(sorted(accepted))}
        raise ValidationError({name: [message] for name in unknown})


class KnownParametersFilter(BaseFilterBackend):
    """400 for a query parameter the endpoint does not read (a typo would otherwise go unnoticed)."""

    def filter_queryset(self, request, queryset, view):
        reject_unknown_parameters(request, accepted_parameters(view, request))
        return queryset


class DocumentedSearchFilter(SearchFilter):
    """DRF's `?search=`, documented only on the lists that search (a view with `search_fields`).

    DRF documents `search` on every list; a list without search fields refuses it as an unknown
    parameter (KnownParametersFilter), so the schema would promise what the API answers 400 to.
    """

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` with a field it cannot order by answers 400 listing the fields it can."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            wanted = [term.strip() for term in raw.split(",")]
            bad = [term for term in wanted if not term or term.lstrip("-") not in valid]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(terms)s. Order by: %(valid)s (a leading - reverses).")
                            % {"terms": ", ".join(bad) or '""', "valid": ", ".join(sorted(valid))}
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        """The fields the list orders by, as a pattern: `name`, `-name`, several separated by commas
        (or empty: an empty value means the parameter is not given, as everywhere in the API)."""
        parameters = super().get_schema_operation_parameters(view)
        fields = [name for name in getattr(view, "ordering_fields", None) or () if name != "__all__"]
        if fields:
            one = "-?(?:" + "|".join(re.escape(name) for name in fields) + ")"
            for parameter in parameters:
                parameter["schema"]["pattern"] = f"^(?:{one}(?:,{one})*)?$"
                parameter["description"] = f"Order by: {', '.join(fields)} (a leading - reverses; comma-separated)."
        return parameters


class DetailFiltersMixin:
    """For viewsets: a route of one record (`/activities/12/`) asked without query parameters skips
    the filter backends. They would filter nothing there, but building the filter set and its form
    cost about 4 ms of CPU on every read and write of one record. With parameters they run, so an
    unknown one still answers 400.

    A list whose filter set narrows nothing when no filter is given (no default scope, unlike the
    portal's country list) may set `plain_list_skips_filters`: asked with paging parameters only
    (`?page_size=500`), it skips them too."""

    plain_list_skips_filters = False

    def filter_queryset(self, queryset):
        given = set(self.request.query_params) - COMMON_PARAMETERS
        if getattr(self, "detail", False) and not given:
            return queryset
        if self.plain_list_skips_filters and getattr(self, "action", None) == "list":
            paginator = self.paginator
            paging = {paginator.page_query_param, paginator.page_size_query_param} if paginator else set()
            if not given - paging:
                return queryset
        return super().filter_queryset(queryset)
