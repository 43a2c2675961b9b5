"""Reference names in the report's language: countries, regions, action areas.

The report is built under `translation.override(run.language)`; these are the
only places the builders turn a stored (English) reference name into the
reader's. They take the name as the report's rows carry it (`values()` rows
hold `country__name`, not the object) and give what the models' own accessors
give, so the report and the portal agree:

- countries: `core.i18n.iso_country_name`, as `Country.localized_name()` (the
  ISO 3166 name in pycountry's translations);
- regions and action areas: the portal's catalogue, as `Region.localized_name()`
  and `ActionArea.__str__` (their English names are messages of `locale/`).

When those names move into per-language fields, only these functions change.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from django.utils.translation import gettext as _

from core.i18n import current_language, iso_country_name


@lru_cache(maxsize=1024)
def _iso_alpha3(name: str) -> str | None:
    # A country's stored name is pycountry's common name where it has one ("Bolivia"), else its name.
    entry = pycountry.countries.get(common_name=name) or pycountry.countries.get(name=name)
    return entry.alpha_3 if entry else None


def country_name(name: str | None) -> str:
    """A country's name (as stored) in the report's language."""
    if not name:
        return ""
    iso3 = _iso_alpha3(name)
    return iso_country_name(iso3, name, current_language()) if iso3 else name


def region_name(name: str | None) -> str:
    """A region's name (as stored) in the report's language."""
    return _(name) if name else ""


def action_area_name(name: str | None) -> str:
    """An action area's name (as stored) in the report's language."""
    return _(name) if name else ""
