"""Names in the reader's language, and lists sorted the way that language sorts.

Reference data and user content keep names per language in a JSON field
(`{"fr": "...", "zh-hans": "..."}`) beside the original; `localized()` picks the
reader's, or falls back to the original and says which language it is in, so a
page can mark it ("UN Nutrition Togo (anglais)") rather than pass it off as a
translation. `collation_key()` sorts by the reader's language with ICU's
collation (PyICU): Arabic by the Arabic alphabet, Chinese by pinyin, "Égypte"
beside "Egypte", never by code point.
"""

from __future__ import annotations

import gettext as gettext_module
import unicodedata
from functools import lru_cache

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.text import format_lazy

SOURCE_LANGUAGE = "en"


def current_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower()


def language_codes() -> list[str]:
    """The six UN languages, by the portal's codes (ar, zh-hans, en, fr, ru, es)."""
    return [code for code, _label in settings.LANGUAGES]


class LocalizedText(str):
    """A name in the reader's language; `language` is the language it is really in, `fallback`
    tells that it is the original shown for want of a translation."""

    language: str
    fallback: bool

    def __new__(cls, text: str, language: str, fallback: bool = False):
        value = super().__new__(cls, text)
        value.language = language
        value.fallback = fallback
        return value

    @property
    def plain(self) -> str:
        """For plain text (a select's option, a CSV cell, JSON): the original with its language named."""
        if not self.fallback:
            return str(self)
        return f"{self} ({language_name(self.language)})"


def localized(names: dict | None, default: str, language: str | None = None, source: str = SOURCE_LANGUAGE):
    """The name in `language` (the reader's by default) from `names`, else `default`, which is
    in `source` (English for reference data, the language a team wrote its name in)."""
    language = (language or current_language()).lower()
    text = (names or {}).get(language)
    if text:
        return LocalizedText(text, language)
    return LocalizedText(default or "", source, fallback=language != source and bool(default))


def language_name(code: str) -> str:
    """The language's name in the reader's language ("anglais" for en in French)."""
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


def localized_html(text) -> str:
    """Markup for a name: isolated from the page's direction (user text in another script on an
    Arabic page), with its language, and a visible mark when it is an untranslated original."""
    if not isinstance(text, LocalizedText):
        return format_html('<bdi dir="auto">{}</bdi>', text)
    if not text.fallback:
        return format_html('<bdi dir="auto">{}</bdi>', str(text))
    return format_html(
        '<bdi lang="{}" dir="auto">{}</bdi> <span class="lang-mark">({})</span>',
        text.language,
        str(text),
        language_name(text.language),
    )


# --- countries: ISO 3166 names from pycountry's translations ---------------------------

# Django language code -> the locale pycountry ships its ISO 3166 names in.
PYCOUNTRY_LOCALES = {"ar": "ar", "zh-hans": "zh_CN", "fr": "fr", "ru": "ru", "es": "es"}


@lru_cache(maxsize=8)
def _iso3166(language: str):
    import pycountry

    locale = PYCOUNTRY_LOCALES.get(language)
    if locale is None:
        return None
    return gettext_module.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


@lru_cache(maxsize=1)
def _iso_names() -> dict[str, str]:
    import pycountry

    return {c.alpha_3: c.name for c in pycountry.countries}


# Where pycountry's catalogue is wrong and a UN source says otherwise: (alpha-3, language) -> name.
# Cambodia is 柬埔寨 in the UN Nutrition brief (shared/seeds/000) and in UN Chinese usage; the
# iso-codes zh_CN catalogue has the typo 柬埔塞.
ISO_NAME_CORRECTIONS = {("KHM", "zh-hans"): "柬埔寨"}


def iso_country_name(iso_alpha3: str, default: str, language: str | None = None) -> str:
    """A country's name in `language` from the ISO 3166 catalogue pycountry ships."""
    language = (language or current_language()).lower()
    corrected = ISO_NAME_CORRECTIONS.get((iso_alpha3, language))
    if corrected:
        return corrected
    catalogue = _iso3166(language)
    english = _iso_names().get(iso_alpha3)
    if catalogue is None or english is None:
        return default
    return catalogue.gettext(english)


# --- sorting by the reader's language ------------------------------------------------------

# Django language code -> ICU locale.
ICU_LOCALES = {"zh-hans": "zh_Hans", "ar": "ar", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}


@lru_cache(maxsize=8)
def _collator(language: str):
    try:
        import icu
    except ImportError:  # PyICU is in requirements.txt; keep lists usable without it
        return None
    collator = icu.Collator.createInstance(icu.Locale(ICU_LOCALES.get(language, language)))
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def collation_key(text, language: str | None = None):
    """A sort key for `text` by the rules of `language` (the reader's by default)."""
    collator = _collator((language or current_language()).lower())
    text = str(text or "")
    if collator is None:
        return unicodedata.normalize("NFKD", text).casefold()
    return collator.getSortKey(text)


def sort_localized(items, key=str, language: str | None = None, reverse: bool = False) -> list:
    """`items` sorted by `key(item)` in the reader's language."""
    language = (language or current_language()).lower()
    return sorted(items, key=lambda item: collation_key(key(item), language), reverse=reverse)


def localized_label(obj) -> str:
    """A model object's name in the reader's language as plain text (an untranslated original
    names its language), for option labels and attributes."""
    method = getattr(obj, "localized_name", None)
    name = method() if callable(method) else str(obj)
    return name.plain if isinstance(name, LocalizedText) else str(name)


def localize_model_choices(field, label=localized_label) -> None:
    """A form's model choice field offered in the reader's language and sorted by it: labels from
    `label(obj)`, options in that language's collation order (the empty choice first). The
    queryset still validates what is submitted."""
    rows = sort_localized(((field.prepare_value(obj), label(obj)) for obj in field.queryset), key=lambda row: row[1])
    empty = getattr(field, "empty_label", None)
    # The widget's choices only: the field keeps its queryset, which judges what comes back.
    field.widget.choices = ([("", empty)] if empty is not None else []) + rows


# --- entering translations: one box per language for a JSON field of names ------------------


class TranslationsForm(forms.ModelForm):
    """A model form with one text box per UN language for each JSON field in `translations`
    (made by `translations_form()`); empty boxes are left out, so the original shows, marked."""

    translations: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for json_field in self.translations:
            values = getattr(self.instance, json_field, None) or {}
            for code in language_codes():
                self.initial.setdefault(f"{json_field}__{code}", values.get(code, ""))

    def clean(self):
        cleaned = super().clean()
        for json_field in self.translations:
            names = {}
            for code in language_codes():
                text = " ".join((cleaned.get(f"{json_field}__{code}") or "").split())
                if text:
                    names[code] = text
            setattr(self.instance, json_field, names)
        return cleaned


def translations_form(json_field: str, label, max_length: int = 300, base=TranslationsForm):
    """A TranslationsForm class with a box per language for `json_field` ("Name (Français)")."""
    fields = {
        f"{json_field}__{code}": forms.CharField(
            label=format_lazy("{} ({})", label, local_name), required=False, max_length=max_length
        )
        for code, local_name in settings.LANGUAGES
    }
    translations = (*getattr(base, "translations", ()), json_field)
    return type(f"{json_field.title().replace('_', '')}Form", (base,), {**fields, "translations": translations})
