"""Template helpers: names in the reader's language, role labels, isolated user text."""

from django import template
from django.utils.html import format_html

from core.i18n import LocalizedText, localized_html

register = template.Library()


def _localized(obj):
    """The object's name in the reader's language: its `localized_name()` (countries, regions,
    agencies, teams, frameworks), or the object itself when it already is a LocalizedText."""
    if obj is None or obj == "":
        return ""
    if isinstance(obj, LocalizedText):
        return obj
    method = getattr(obj, "localized_name", None)
    return method() if callable(method) else str(obj)


@register.filter
def country_name(country) -> str:
    """The country's name in the current language (from pycountry's ISO 3166 translations)."""
    return str(_localized(country))


@register.filter
def agency_name(agency) -> str:
    """The agency's official name in the current language; an English original says so."""
    name = _localized(agency)
    return name.plain if isinstance(name, LocalizedText) else name


@register.filter
def plain_name(obj) -> str:
    """A name as plain text, for attributes and option labels: "UN Nutrition Togo (English)"
    when it is shown untranslated."""
    name = _localized(obj)
    return name.plain if isinstance(name, LocalizedText) else name


@register.filter
def name(obj):
    """A name as markup: isolated from the page's direction (`<bdi dir="auto">`), and an
    untranslated original marked with its language."""
    name = _localized(obj)
    return localized_html(name) if name != "" else ""


@register.filter
def bdi(text):
    """User-entered text isolated from the page's direction: an English title on an Arabic page
    keeps its punctuation at its own end."""
    if text is None or text == "":
        return ""
    return format_html('<bdi dir="auto">{}</bdi>', text)


@register.filter
def role_label(role: str) -> str:
    from django.utils.translation import gettext

    return {
        "secretariat": gettext("Secretariat"),
        "convener": gettext("Convener"),
        "focal_point": gettext("Focal point"),
        "viewer": gettext("Viewer"),
    }.get(role, "")
