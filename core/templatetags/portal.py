"""Template helpers: names in the reader's language, role labels."""

import gettext
from functools import lru_cache

import pycountry
from django import template
from django.utils.translation import get_language

register = template.Library()

# Django language code -> the locale pycountry ships its ISO 3166 names in.
PYCOUNTRY_LOCALES = {"ar": "ar", "zh-hans": "zh_CN", "fr": "fr", "ru": "ru", "es": "es"}


@lru_cache(maxsize=8)
def _iso3166(language: str):
    locale = PYCOUNTRY_LOCALES.get(language)
    if locale is None:
        return None
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


@register.filter
def country_name(country) -> str:
    """The country's name in the current language (from pycountry's ISO 3166 translations)."""
    if country is None:
        return ""
    translation = _iso3166(get_language() or "en")
    if translation is None:
        return country.name
    entry = pycountry.countries.get(alpha_3=country.iso_alpha3)
    return translation.gettext(entry.name) if entry else country.name


@register.filter
def agency_name(agency) -> str:
    """The agency's official name in the current language where the UN documents give it."""
    if agency is None:
        return ""
    return (agency.name_translations or {}).get(get_language() or "en") or agency.name


@register.filter
def role_label(role: str) -> str:
    from django.utils.translation import gettext

    return {
        "secretariat": gettext("Secretariat"),
        "convener": gettext("Convener"),
        "focal_point": gettext("Focal point"),
        "viewer": gettext("Viewer"),
    }.get(role, "")
