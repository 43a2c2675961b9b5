"""Member agencies of UN Nutrition and the mechanism's global governance."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import HistoricalRecords, Term, TimeStamped


class Agency(TimeStamped):
    class Kind(models.TextChoices):
        SPECIALIZED_AGENCY = "specialized_agency", _("Specialized agency")
        FUND_PROGRAMME = "fund_programme", _("Fund or programme")
        SECRETARIAT_OFFICE = "secretariat_office", _("UN Secretariat department or office")
        # The UN System Chart's "Other entities" (UNHCR, UNOPS, UN-Women, ...): neither a fund or
        # programme nor a Secretariat department.
        OTHER_ENTITY = "other_entity", _("Other UN entity")
        RELATED_ORGANIZATION = "related_organization", _("Related organization")
        SPECIAL_PROCEDURE = "special_procedure", _("Special procedure mandate")
        RESEARCH_ORGANIZATION = "research_organization", _("Research organization")
        REGIONAL_OFFICE = "regional_office", _("Regional office")

    class Membership(models.TextChoices):
        FOUNDING = "founding", _("Founding member")
        MEMBER = "member", _("Member")
        ASSOCIATE = "associate", _("Associate member")
        NONE = "none", _("Not a member in its own right")

    acronym = models.CharField(_("acronym"), max_length=32)
    name = models.CharField(_("official name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        help_text=_('Official names by language code, e.g. {"zh-hans": "世界粮食计划署"}.'),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    membership = models.CharField(_("membership"), max_length=16, choices=Membership.choices)
    membership_through = models.CharField(
        _("member through"),
        max_length=200,
        blank=True,
        help_text=_("The entity through which membership is held, e.g. the Alliance of Bioversity and CIAT."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regional_offices",
        help_text=_("For a regional office (PAHO), the agency it belongs to (WHO)."),
    )
    hosts_secretariat = models.BooleanField(_("hosts the Secretariat"), default=False)
    headquarters = models.CharField(_("headquarters"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(
                Lower("acronym"),
                name="agency_acronym_unique_ci",
                violation_error_message=_("An agency with this acronym already exists."),
            ),
            models.UniqueConstraint(
                fields=["hosts_secretariat"],
                condition=Q(hosts_secretariat=True),
                name="agency_one_secretariat_host",
                violation_error_message=_("Only one agency can host the Secretariat."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="regional_office") | Q(parent__isnull=False),
                name="agency_regional_office_has_parent",
                violation_error_message=_("A regional office must name the agency it belongs to."),
            ),
        ]

    def __str__(self):
        return self.acronym

    def localized_name(self, language=None):
        """The official name in the reader's language (loaded by load_reference_data), else the English."""
        return localized(self.name_translations, self.name, language)


class SteeringCommitteeSeat(Term):
    class SeatType(models.TextChoices):
        FOUNDING = "founding", _("Founding member")
        ROTATING = "rotating", _("Rotating member")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="sc_seats")
    seat_type = models.CharField(_("seat"), max_length=16, choices=SeatType.choices)
    # A source that gives a snapshot ("IAEA and UNEP, as of December 2022") rather than a term:
    # the seat is recorded open-ended with the date the source states it, never with an invented end.
    stated_on = models.DateField(
        _("as stated on"),
        null=True,
        blank=True,
        help_text=_("When the source gives the seat as of a date rather than a term: that date."),
    )

    history = HistoricalRecords()

    class Meta(Term.Meta):
        verbose_name = _("Steering Committee seat")
        verbose_name_plural = _("Steering Committee seats")
        ordering = ["seat_type", "agency__acronym"]
        constraints = [
            *Term.Meta.constraints,
            models.UniqueConstraint(
                fields=["agency", "start_date"],
                name="sc_seat_unique_agency_start",
                violation_error_message=_("This agency already has a seat starting on that date."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} ({self.get_seat_type_display()})"


class ChairTerm(Term):
    person = models.ForeignKey(
        "countries.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="chair_terms"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="chair_terms")
    position = models.CharField(
        _("position held at election"), max_length=200, blank=True, help_text=_("At least Assistant Director-General.")
    )

    history = HistoricalRecords()

    class Meta(Term.Meta):
        verbose_name = _("Chair term")
        verbose_name_plural = _("Chair terms")
        ordering = ["-start_date"]
        constraints = [
            *Term.Meta.constraints,
            models.UniqueConstraint(
                fields=["start_date"],
                name="chair_term_unique_start",
                violation_error_message=_("A Chair term already starts on that date."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.agency})"
