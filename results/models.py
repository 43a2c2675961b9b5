"""Joint results: a catalogue of standard indicators, the indicators of workplan outputs with their
baselines and targets, actual values per reporting period (entered, then approved or returned),
and evidence (files and links) on workplans, outputs, values, progress updates and teams.

The hierarchy follows IATI 2.03 and UN INFO: workplan > output (workplans.Output) > indicator >
target and actual value per period (workplans.ReportingPeriod, set by the Secretariat).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import HistoricalRecords, TimeStamped
from teams.models import TeamScopedQuerySet, editable_team_ids
from workplans.models import LONG_TEXT, ReportingPeriod, long_text, translations_field


class Unit(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percent")
    YES_NO = "yes_no", _("Yes/no")
    QUALITATIVE = "qualitative", _("Qualitative")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


SDG_INDICATOR_CODE = RegexValidator(
    r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$",
    _("Write an SDG indicator's number, such as 2.2.1."),
)

# Values: enough for counts of people and money; two decimals for percentages.
VALUE_DIGITS, VALUE_PLACES = 16, 2


def value_field(verbose_name):
    return models.DecimalField(
        verbose_name, max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )


class StandardIndicator(models.Model):
    """An indicator of the Secretariat's catalogue: teams pick it so that results add up across countries."""

    class Category(models.TextChoices):
        NUTRITION = "nutrition", _("Nutrition outcome")
        COORDINATION = "coordination", _("Coordination")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_translations = translations_field(_("name in other languages"))
    definition = models.TextField(_("definition"))
    definition_translations = translations_field(_("definition in other languages"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(_("desired direction"), max_length=16, choices=Direction.choices)
    sdg_indicator = models.CharField(_("SDG indicator"), max_length=10, blank=True, validators=[SDG_INDICATOR_CODE])
    source = models.CharField(_("source"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered to teams"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard indicator")
        verbose_name_plural = _("standard indicators")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def localized_name(self, language=None):
        return localized(self.name_translations, self.name, language)

    def localized_definition(self, language=None):
        return localized(self.definition_translations, self.definition, language)


class Indicator(TimeStamped):
    """How a joint output's result is measured: a baseline, targets per period and actual values."""

    output = models.ForeignKey(
        "workplans.Output", verbose_name=_("output"), on_delete=models.CASCADE, related_name="indicators"
    )
    standard = models.ForeignKey(
        StandardIndicator,
        verbose_name=_("standard indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("From the Secretariat's catalogue, so that results add up across countries."),
    )
    title = models.CharField(_("title"), max_length=300)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(
        _("desired direction"), max_length=16, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = value_field(_("baseline value"))
    baseline_text = models.CharField(
        _("baseline (in words)"), max_length=500, blank=True, help_text=_("For a qualitative indicator.")
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    means_of_verification = long_text(_("means of verification"), blank=True)
    responsible_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    by_sex = models.BooleanField(_("by sex"), default=False)
    by_age_group = models.BooleanField(_("by age group"), default=False)
    by_province = models.BooleanField(_("by province"), default=False)
    sdg_indicator = models.CharField(_("SDG indicator"), max_length=10, blank=True, validators=[SDG_INDICATOR_CODE])
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "output__workplan__team"

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["output", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                name="indicator_baseline_has_year",
                violation_error_message=_("Give the year of the baseline value."),
            ),
        ]

    def __str__(self):
        return self.title


# The fields a team plans for an indicator (portal form, API write serializer); targets come apart.
INDICATOR_PLANNING_FIELDS = [
    "output",
    "standard",
    "title",
    "unit",
    "direction",
    "baseline_value",
    "baseline_text",
    "baseline_year",
    "means_of_verification",
    "responsible_agency",
    "by_sex",
    "by_age_group",
    "by_province",
    "sdg_indicator",
    "position",
]


class Target(models.Model):
    """What an indicator should reach by the end of a period of a year (the mid-year or the annual one).

    Targets are kept per year and kind of period, not per period record: a team may set next year's
    target before the Secretariat opens next year's periods, and copying the workplan into that year
    takes it along."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    period_kind = models.CharField(_("period"), max_length=16, choices=ReportingPeriod.Kind.choices)
    value = value_field(_("target value"))
    text = models.CharField(_("target (in words)"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year", "-period_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "period_kind"],
                name="target_one_per_indicator_and_period",
                violation_error_message=_("This indicator already has a target for this period."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.get_period_kind_display()} {self.year}"


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class AgeGroup(models.TextChoices):
    MONTHS_0_5 = "0-5m", _("0–5 months")
    MONTHS_6_23 = "6-23m", _("6–23 months")
    MONTHS_24_59 = "24-59m", _("24–59 months")
    UNDER_5 = "under-5", _("Under 5 years")
    YEARS_5_9 = "5-9y", _("5–9 years")
    YEARS_10_19 = "10-19y", _("10–19 years")
    YEARS_15_49 = "15-49y", _("15–49 years")
    YEARS_20_PLUS = "20y+", _("20 years and over")


class IndicatorValueQuerySet(TeamScopedQuerySet):
    def visible_to(self, user):
        """Approved values for everyone signed in; every status (awaiting approval, returned) for the
        team's people and the Secretariat: until approved, a value is the team's working copy. The
        portal's list and the API read through this one rule."""
        queryset = super().visible_to(user)
        team_ids = editable_team_ids(user)
        if team_ids is None:
            return queryset
        return queryset.filter(
            Q(status=IndicatorValue.Status.APPROVED) | Q(indicator__output__workplan__team_id__in=team_ids)
        )


class IndicatorValue(TimeStamped):
    """The actual value of an indicator for a reporting period (the total, or one disaggregation),
    entered by the team, then approved or returned with a reason by its convener."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, blank=True)
    subdivision = models.ForeignKey(
        "countries.Subdivision",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    value = value_field(_("value"))
    text = long_text(_("result (in words)"), blank=True)
    comment = long_text(_("comment"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or returned"), null=True, blank=True)
    return_reason = long_text(_("reason for returning"), blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlocked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unlocked_at = models.DateTimeField(_("unlocked"), null=True, blank=True)
    unlock_reason = long_text(_("reason for unlocking"), blank=True)

    history = HistoricalRecords()
    objects = IndicatorValueQuerySet.as_manager()
    team_path = "indicator__output__workplan__team"

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period", "sex", "age_group", "subdivision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "sex", "age_group"],
                condition=Q(subdivision__isnull=True),
                name="indicator_value_one_per_breakdown",
                violation_error_message=_("A value for this period and breakdown is already entered: correct it."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "sex", "age_group", "subdivision"],
                condition=Q(subdivision__isnull=False),
                name="indicator_value_one_per_province_breakdown",
                violation_error_message=_("A value for this period and breakdown is already entered: correct it."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="indicator_value_returned_has_reason",
                violation_error_message=_("Say why the value is returned."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.period}"

    @property
    def is_total(self) -> bool:
        return not (self.sex or self.age_group or self.subdivision_id)

    def breakdown_label(self) -> str:
        """ "Female · 6–23 months · Kandal", or "" for the total."""
        parts = [self.get_sex_display() if self.sex else "", self.get_age_group_display() if self.age_group else ""]
        if self.subdivision_id:
            parts.append(self.subdivision.name)
        return " · ".join(str(p) for p in parts if p)


def evidence_path(attachment, filename: str) -> str:
    """MEDIA_ROOT/evidence/<team>/<random>/<name>: a name nobody can guess, never served from a public URL."""
    return f"evidence/{attachment.team_id or 0}/{uuid.uuid4().hex}/{filename}"


class Attachment(TimeStamped):
    """Evidence: a file or a link on a workplan, an output, an indicator value, a progress update or a team."""

    class Kind(models.TextChoices):
        SIGNED_WORKPLAN = "signed_workplan", _("Signed workplan")
        TERMS_OF_REFERENCE = "terms_of_reference", _("Terms of reference")
        MINUTES = "minutes", _("Minutes")
        REPORT = "report", _("Report")
        PHOTO = "photo", _("Photo")
        DATA = "data", _("Data")
        OTHER = "other", _("Other")

    class Visibility(models.TextChoices):
        TEAM = "team", _("The team and the Secretariat")
        UN = "un", _("Signed-in UN users")
        PUBLIC = "public", _("Public")

    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="attachments")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices, default=Kind.REPORT)
    title = models.CharField(_("title"), max_length=300)
    document_date = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=7, choices=settings.LANGUAGES, blank=True)
    visibility = models.CharField(_("visible to"), max_length=8, choices=Visibility.choices, default=Visibility.TEAM)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    media_type = models.CharField(_("file type"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-document_date", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="attachment_file_or_link",
                violation_error_message=_("Attach a file or give a link (one of the two)."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)
