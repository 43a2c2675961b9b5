"""The `?year=` of the portal's yearly pages (dashboard, needs-attention lists)."""

from django.utils import timezone
from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 2000, 2100


class InvalidYear(ValueError):
    """A `?year=` that is not a year the portal holds; the message says which are."""


def selected_year(request) -> int:
    """This year when `year` is absent or empty (as on every API endpoint); refused otherwise
    unless it is a whole number from 2000 to 2100, rather than silently replaced."""
    value = request.GET.get("year", "").strip()
    if not value:
        return timezone.localdate().year
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise InvalidYear(
            _("“%(value)s” is not a valid year: choose a year from %(first)s to %(last)s.")
            % {"value": value[:20], "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return int(value)


def year_choices() -> range:
    """The years the dashboard's picker offers: next year and the six before."""
    this_year = timezone.localdate().year
    return range(this_year + 1, this_year - 6, -1)
