"""Regions, countries (ISO 3166), the SUN Movement's presence in them, and people.

Countries and their subdivisions are loaded from pycountry, regions from the
UN M49 grouping shipped by country_converter and their M49 codes from the OCHA/HDX
taxonomy shipped by hdx-python-country; nothing here is typed by hand.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.i18n import LocalizedText, current_language, iso_country_name
from core.models import HistoricalRecords, TimeStamped


class Region(models.Model):
    """A UN M49 region: a continent, an intermediate region or a sub-region."""

    class Level(models.IntegerChoices):
        CONTINENT = 1, _("Region")
        INTERMEDIATE = 2, _("Intermediate region")
        SUBREGION = 3, _("Sub-region")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    # The UN Statistics Division's three-digit code ("002" Africa, "202" Sub-Saharan Africa),
    # loaded by load_reference_data; none for Antarctica, which M49 lists as an area, not a region.
    m49_code = models.CharField(
        _("M49 code"),
        max_length=3,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{3}$", _("An M49 code is three digits, e.g. 002."))],
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name

    def localized_name(self, language=None):
        """The UN M49 name in the reader's language (the names are in the portal's catalogues,
        listed in unnutrition/reference_data/msgids.py)."""
        language = language or current_language()
        if language == current_language():
            return LocalizedText(gettext(self.name), language)
        from django.utils import translation

        with translation.override(language):
            return LocalizedText(gettext(self.name), language)


class CountryQuerySet(models.QuerySet):
    def with_country_team(self):
        """Countries with `country_team_id` and `country_team_name`: their active country team, if any.

        Reached through the `teams` relation (a country has at most one
        country team, a database constraint), so no row repeats.
        """
        return self.annotate(
            country_team=FilteredRelation("teams", condition=Q(teams__kind="country", teams__is_active=True)),
            country_team_id=F("country_team__pk"),
            country_team_name=F("country_team__name"),
        )


class Country(models.Model):
    """A country or territory with an ISO 3166-1 code."""

    iso_alpha2 = models.CharField(
        _("ISO alpha-2"), max_length=2, unique=True, validators=[RegexValidator(r"^[A-Z]{2}$")]
    )
    iso_alpha3 = models.CharField(
        _("ISO alpha-3"), max_length=3, unique=True, validators=[RegexValidator(r"^[A-Z]{3}$")]
    )
    iso_numeric = models.CharField(
        _("ISO numeric"), max_length=3, unique=True, validators=[RegexValidator(r"^[0-9]{3}$")]
    )
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="countries"
    )

    history = HistoricalRecords()
    objects = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_alpha2__regex=r"^[A-Z]{2}$") & Q(iso_alpha3__regex=r"^[A-Z]{3}$"),
                name="country_iso_codes_uppercase",
                violation_error_message=_("ISO codes are upper-case letters (KH, KHM)."),
            ),
        ]

    def __str__(self):
        return self.name

    def localized_name(self, language=None):
        """The ISO 3166 name in the reader's language (pycountry's translations)."""
        language = language or current_language()
        return LocalizedText(iso_country_name(self.iso_alpha3, self.name, language), language)


class Subdivision(models.Model):
    """A province, state or district (ISO 3166-2): where activities take place."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="subdivisions"
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("subdivision")
        verbose_name_plural = _("subdivisions")
        ordering = ["country__name", "name"]

    def __str__(self):
        return self.name


class Person(TimeStamped):
    """Someone the portal keeps contact details for: focal points, conveners, officials."""

    name = models.CharField(_("name"), max_length=200)
    honorific = models.CharField(_("honorific"), max_length=40, blank=True, help_text=_("Dr, H.E., ..."))
    title = models.CharField(_("title"), max_length=300, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    organization = models.CharField(
        _("organization"), max_length=300, blank=True, help_text=_("For people outside the UN system, e.g. a ministry.")
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("based in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 ()./-]{4,40}$", _("Enter a phone number such as +855 23 123 456."))],
    )
    is_demo = models.BooleanField(_("demo record"), default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_unique_ci",
                violation_error_message=_("Another person already has this e-mail address."),
            ),
        ]

    def __str__(self):
        return f"{self.honorific} {self.name}".strip()


class SunMembership(models.Model):
    """A country's membership of the Scaling Up Nutrition Movement."""

    country = models.OneToOneField(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="sun_membership"
    )
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    government_focal_point = models.ForeignKey(
        Person,
        verbose_name=_("SUN Government Focal Point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sun_focal_point_of",
    )
    hub = models.ForeignKey(
        "SunRegionalHub",
        verbose_name=_("SUN regional hub"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        help_text=_("The SUN regional hub that serves the country; empty for the countries of the Convergence Hub."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SUN membership")
        verbose_name_plural = _("SUN memberships")
        ordering = ["country__name"]

    def __str__(self):
        return str(self.country)


class SunNetwork(models.Model):
    """One of the four networks of the SUN Global Support System."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20, unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SUN network")
        verbose_name_plural = _("SUN networks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SunNetworkPresence(models.Model):
    """An in-country chapter of a SUN network (e.g. the Civil Society Alliance)."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="sun_networks"
    )
    network = models.ForeignKey(
        SunNetwork, verbose_name=_("network"), on_delete=models.PROTECT, related_name="presences"
    )
    local_name = models.CharField(_("name in the country"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SUN network in a country")
        verbose_name_plural = _("SUN networks in countries")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "network"],
                name="sun_presence_unique",
                violation_error_message=_("This network is already recorded for this country."),
            ),
        ]

    def __str__(self):
        return self.local_name or f"{self.network} ({self.country})"


class SunRegionalHub(models.Model):
    """A SUN regional hub (Bangkok, Dakar, Nairobi, Panama)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="sun_hubs")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SUN regional hub")
        verbose_name_plural = _("SUN regional hubs")
        ordering = ["city"]

    def __str__(self):
        return self.name
