"""Annual joint workplans, their activities and the money behind them."""

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import HistoricalRecords, TimeStamped
from teams.models import TeamScopedQuerySet


def translations_field(verbose_name, help_text=""):
    """Texts in the other UN languages by language code ({"fr": ..., "zh-hans": ...})."""
    return models.JSONField(verbose_name, default=dict, blank=True, help_text=help_text)


def validate_currency(value: str):
    # pycountry's look-up ignores case: "usd" must not pass and split totals from "USD".
    if value != value.upper() or pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(_("%(code)s is not an ISO 4217 currency code."), params={"code": value})


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies for pickers: ("USD", "USD - US Dollar"), by code."""
    return sorted((c.alpha_3, f"{c.alpha_3} - {c.name}") for c in pycountry.currencies)


# Free text has limits: a description is a paragraph or two, not a document.
LONG_TEXT = 5000


def long_text(verbose_name, **kwargs):
    return models.TextField(verbose_name, max_length=LONG_TEXT, validators=[MaxLengthValidator(LONG_TEXT)], **kwargs)


def money_field(verbose_name):
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )


def non_negative(prefix: str, *fields: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}),
            name=f"{prefix}_{field}_not_negative",
            violation_error_message=_("Amounts of money cannot be negative."),
        )
        for field in fields
    ]


class ActionArea(models.Model):
    """A joint action area (evidence generation, advocacy, ...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("action area")
        verbose_name_plural = _("action areas")
        ordering = ["name"]

    def __str__(self):
        # Names are listed for translation in unnutrition/reference_data/msgids.py.
        return gettext(self.name)


class SdgGoal(models.Model):
    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )
    title = models.CharField(_("title"), max_length=300)
    title_translations = translations_field(_("title in other languages"))

    class Meta:
        verbose_name = _("SDG")
        verbose_name_plural = _("SDGs")
        ordering = ["number"]

    def __str__(self):
        return f"SDG {self.number}"

    def localized_title(self, language=None):
        """The official title in the reader's language (UN texts, loaded by load_reference_data)."""
        return localized(self.title_translations, self.title, language)


class SdgTarget(models.Model):
    """A target from the official list of SDG targets (A/RES/71/313)."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    goal = models.ForeignKey(SdgGoal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="targets")
    text = models.TextField(_("text"))
    text_translations = translations_field(_("text in other languages"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["position"]

    def __str__(self):
        return self.code

    def localized_text(self, language=None):
        """The official text in the reader's language (UN texts, loaded by load_reference_data)."""
        return localized(self.text_translations, self.text, language)


class NationalFramework(models.Model):
    """A national policy or strategy that joint work is aligned to."""

    country = models.ForeignKey(
        "countries.Country", verbose_name=_("country"), on_delete=models.CASCADE, related_name="national_frameworks"
    )
    name = models.CharField(_("name"), max_length=300)
    name_translations = translations_field(
        _("name in other languages"),
        _(
            'The name in other UN languages by language code, e.g. {"fr": "Deuxième stratégie nationale"}; '
            "where one is missing the original name is shown, marked with its language."
        ),
    )
    name_language = models.CharField(_("language of the name"), max_length=7, choices=settings.LANGUAGES, default="en")
    start_year = models.PositiveSmallIntegerField(_("from"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("national framework")
        verbose_name_plural = _("national frameworks")
        ordering = ["country__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"],
                name="national_framework_unique",
                violation_error_message=_("This framework is already recorded for this country."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="national_framework_end_after_start",
                violation_error_message=_("The end year must be on or after the start year."),
            ),
        ]

    def __str__(self):
        return self.name

    def localized_name(self, language=None):
        return localized(self.name_translations, self.name, language, source=self.name_language)

    @property
    def period(self) -> str:
        """ "2019–2023", "until 2030", "from 2024", or "" when no year is known."""
        if self.start_year and self.end_year:
            return f"{self.start_year}–{self.end_year}"
        if self.end_year:
            return gettext("until %(year)s") % {"year": self.end_year}
        if self.start_year:
            return gettext("from %(year)s") % {"year": self.start_year}
        return ""


class CooperationFramework(models.Model):
    """A UN Sustainable Development Cooperation Framework (formerly UNDAF)."""

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.CASCADE,
        related_name="cooperation_frameworks",
    )
    start_year = models.PositiveSmallIntegerField(_("from"))
    end_year = models.PositiveSmallIntegerField(_("to"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Cooperation Framework")
        verbose_name_plural = _("Cooperation Frameworks")
        ordering = ["country__name", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "start_year"],
                name="cooperation_framework_unique",
                violation_error_message=_("This country already has a Cooperation Framework starting that year."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="cooperation_framework_end_after_start",
                violation_error_message=_("The end year must be on or after the start year."),
            ),
        ]

    def __str__(self):
        return f"{self.country} UNSDCF {self.start_year}-{self.end_year}"


class CooperationOutcome(models.Model):
    framework = models.ForeignKey(
        CooperationFramework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="outcomes"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Cooperation Framework outcome")
        verbose_name_plural = _("Cooperation Framework outcomes")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"],
                name="cooperation_outcome_unique",
                violation_error_message=_("This framework already has an outcome with this code."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Workplan(TimeStamped):
    """A team's annual joint workplan: draft -> submitted -> endorsed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ENDORSED = "endorsed", _("Endorsed")

    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="workplans")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endorsed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    endorsed_at = models.DateTimeField(_("endorsed"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged by the Secretariat"), null=True, blank=True)
    amendment_number = models.PositiveSmallIntegerField(
        _("amendment"), default=0, help_text=_("The number of the latest amendment in force; 0 for the original.")
    )
    summary = long_text(_("summary"), blank=True)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("workplan")
        verbose_name_plural = _("workplans")
        ordering = ["-year", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year"],
                name="workplan_one_per_team_and_year",
                violation_error_message=_("This team already has a workplan for this year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="workplan_year_plausible",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=~Q(status="endorsed") | Q(endorsed_at__isnull=False),
                name="workplan_endorsed_has_date",
                violation_error_message=_("An endorsed workplan records when it was endorsed."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="workplan_submitted_has_date",
                violation_error_message=_("A submitted workplan records when it was submitted."),
            ),
        ]

    def __str__(self):
        return f"{self.team} {self.year}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("workplans:detail", args=[self.pk])


class ReportingPeriod(TimeStamped):
    """A period the Secretariat sets for a year (mid-year, annual): teams report the actual values of their
    indicators and their activities' progress for it by its due date. Once closed, its values are locked.

    It lives here, beside the workplans, because activity progress updates belong to a period; the
    indicators and their values (results app) refer to it from above.
    """

    class Kind(models.TextChoices):
        MID_YEAR = "mid_year", _("Mid-year")
        ANNUAL = "annual", _("Annual")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("period"), max_length=16, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    due_date = models.DateField(_("due date"), help_text=_("The day teams' values and progress are due."))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-year", "end_date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind"],
                name="reporting_period_one_per_kind_and_year",
                violation_error_message=_("This year already has a period of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="reporting_period_end_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("end_date")),
                name="reporting_period_due_after_end",
                violation_error_message=_("The due date must be on or after the end of the period."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Output(TimeStamped):
    """One of a workplan's joint outputs (typically two to five): what the team delivers together.
    Activities and indicators belong to an output; it may serve a Cooperation Framework outcome and
    an objective of a national framework."""

    workplan = models.ForeignKey(Workplan, verbose_name=_("workplan"), on_delete=models.CASCADE, related_name="outputs")
    title = models.CharField(_("title"), max_length=300)
    description = long_text(_("description"), blank=True)
    action_area = models.ForeignKey(
        ActionArea,
        verbose_name=_("action area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outputs",
    )
    cooperation_outcome = models.ForeignKey(
        CooperationOutcome,
        verbose_name=_("Cooperation Framework outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outputs",
    )
    national_framework = models.ForeignKey(
        NationalFramework,
        verbose_name=_("national framework"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outputs",
    )
    national_objective = models.CharField(
        _("national objective"),
        max_length=500,
        blank=True,
        help_text=_("The objective of the national framework this output serves, in its own words."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "workplan__team"

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["workplan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplan", "title"],
                name="output_title_unique_in_workplan",
                violation_error_message=_("This workplan already has an output with this title."),
            ),
        ]

    def __str__(self):
        return self.title


# The fields a team plans for an output (portal form, API write serializer).
OUTPUT_PLANNING_FIELDS = [
    "title",
    "description",
    "action_area",
    "cooperation_outcome",
    "national_framework",
    "national_objective",
    "position",
]


class MarkerScore(models.IntegerChoices):
    """UN INFO's Gender Equality Marker and Human Rights Marker, 0 to 3."""

    NONE = 0, _("0 - not expected to contribute")
    LIMITED = 1, _("1 - contributes in a limited way")
    SIGNIFICANT = 2, _("2 - contributes significantly")
    PRINCIPAL = 3, _("3 - its principal objective")


class Activity(TimeStamped):
    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        IMPLEMENTATION = "implementation", _("Implementation")
        FINALISATION = "finalisation", _("Finalisation")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        SUSPENDED = "suspended", _("Suspended")

    workplan = models.ForeignKey(
        Workplan, verbose_name=_("workplan"), on_delete=models.CASCADE, related_name="activities"
    )
    output = models.ForeignKey(
        Output,
        verbose_name=_("output"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text=_("The joint output of this workplan the activity contributes to."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = long_text(_("description"), blank=True)
    action_area = models.ForeignKey(
        ActionArea, verbose_name=_("action area"), on_delete=models.PROTECT, related_name="activities"
    )
    lead_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_activities"
    )
    participating_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("participating agencies"), blank=True, related_name="activities"
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, verbose_name=_("SDG targets"), blank=True, related_name="activities"
    )
    national_frameworks = models.ManyToManyField(
        NationalFramework, verbose_name=_("national frameworks"), blank=True, related_name="activities"
    )
    cooperation_outcome = models.ForeignKey(
        CooperationOutcome,
        verbose_name=_("Cooperation Framework outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    is_national = models.BooleanField(_("national coverage"), default=True)
    subdivisions = models.ManyToManyField(
        "countries.Subdivision", verbose_name=_("provinces"), blank=True, related_name="activities"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[validate_currency])
    budget_required = money_field(_("budget required"))
    budget_available = money_field(_("budget available"))
    budget_spent = money_field(_("budget spent"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PIPELINE)
    last_progress_at = models.DateTimeField(_("last progress update"), null=True, blank=True, editable=False)
    gender_marker = models.PositiveSmallIntegerField(
        _("Gender Equality Marker"), choices=MarkerScore.choices, null=True, blank=True
    )
    human_rights_marker = models.PositiveSmallIntegerField(
        _("Human Rights Marker"), choices=MarkerScore.choices, null=True, blank=True
    )
    tags = models.ManyToManyField(
        "Tag",
        verbose_name=_("tags"),
        blank=True,
        related_name="activities",
        help_text=_("Groups left behind it reaches, humanitarian/development/peace, the system, initiatives."),
    )

    history = HistoricalRecords(
        m2m_fields=[participating_agencies, sdg_targets, national_frameworks, subdivisions, tags]
    )
    objects = TeamScopedQuerySet.as_manager()
    team_path = "workplan__team"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["workplan", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="activity_end_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            *non_negative("activity", "budget_required", "budget_available", "budget_spent"),
        ]
        indexes = [models.Index(fields=["status", "end_date"]), models.Index(fields=["last_progress_at"])]

    def __str__(self):
        return self.title


# The fields a team plans and maintains for an activity: the portal's form and
# the API's write serializer take these, the API's read serializer adds ids,
# team, year and progress around them.
ACTIVITY_PLANNING_FIELDS = [
    "output",
    "title",
    "description",
    "action_area",
    "lead_agency",
    "participating_agencies",
    "sdg_targets",
    "national_frameworks",
    "cooperation_outcome",
    "is_national",
    "subdivisions",
    "start_date",
    "end_date",
    "currency",
    "budget_required",
    "budget_available",
    "budget_spent",
    "status",
    "gender_marker",
    "human_rights_marker",
    "tags",
]


class ProgressUpdate(TimeStamped):
    """A dated note on how far an activity got."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="progress_updates"
    )
    reported_on = models.DateField(_("reported on"))
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        help_text=_("The report this update goes into."),
    )
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), validators=[MaxValueValidator(100)])
    status = models.CharField(_("status at the time"), max_length=16, choices=Activity.Status.choices)
    text = long_text(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_updates",
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "activity__workplan__team"

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["activity", "-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="progress_percent_at_most_100",
                violation_error_message=_("Progress cannot exceed 100%."),
            ),
        ]

    def __str__(self):
        return f"{self.activity} {self.reported_on}"

    def clean(self):
        from django.utils import timezone

        if self.reported_on and self.reported_on > timezone.localdate():
            raise ValidationError({"reported_on": _("Progress cannot be reported for a future date.")})


class ResourceMobilised(TimeStamped):
    """Money a team raised jointly (e.g. USD 3.5 million for the child-wasting roadmap)."""

    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="resources_mobilised"
    )
    workplan = models.ForeignKey(
        Workplan,
        verbose_name=_("workplan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources_mobilised",
    )
    source = models.CharField(_("source"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[validate_currency])
    purpose = models.CharField(_("purpose"), max_length=500)
    received_on = models.DateField(_("date"), null=True, blank=True)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("resources mobilised")
        verbose_name_plural = _("resources mobilised")
        ordering = ["team", "-received_on"]
        constraints = non_negative("resource", "amount")

    def __str__(self):
        return f"{self.currency} {self.amount:,.0f} - {self.purpose}"


# --- funding: who puts what into an activity, funders, joint proposals --------------------------------


class Funder(models.Model):
    """Where money comes from: an agency's core resources, a named donor, a pooled fund (the Joint SDG
    Fund), the government. The Secretariat keeps the list (in the admin); contributions and joint
    proposals choose from it."""

    class Kind(models.TextChoices):
        AGENCY_CORE = "agency_core", _("Agency core resources")
        DONOR = "donor", _("Donor")
        POOLED_FUND = "pooled_fund", _("Pooled fund")
        GOVERNMENT = "government", _("Government")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_translations = translations_field(_("name in other languages"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        help_text=_("As the funder publishes it (e.g. XM-DAC-41301); leave empty when it has none."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.localized_name()

    def localized_name(self, language=None):
        return localized(self.name_translations, self.name, language)


class Contribution(TimeStamped):
    """What one agency puts into a joint activity: money, things, staff time or technical assistance,
    and where it comes from. An activity's budget available is the sum of its contributions' amounts."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        IN_KIND = "in_kind", _("In kind")
        STAFF_TIME = "staff_time", _("Staff time")
        TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="contributions"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="contributions"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.CASH)
    amount = money_field(_("amount"))
    person_days = models.DecimalField(
        _("person-days"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("For staff time and technical assistance."),
    )
    funder = models.ForeignKey(
        Funder, verbose_name=_("funding source"), on_delete=models.PROTECT, related_name="contributions"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "activity__workplan__team"

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["activity", "agency__acronym", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "agency", "kind", "funder"],
                name="contribution_one_line_per_agency_kind_funder",
                violation_error_message=_(
                    "This agency already has a line of this kind from this funding source: change that one."
                ),
            ),
            *non_negative("contribution", "amount"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(person_days__isnull=False, person_days__gt=0),
                name="contribution_says_how_much",
                violation_error_message=_("Give an amount, or person-days for staff time and technical assistance."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} {self.get_kind_display()} ({self.activity})"


def proposal_upload_to(proposal, filename):
    return f"proposals/{proposal.team_id}/{filename}"


class JointProposal(TimeStamped):
    """A funding proposal agencies of a team write together: to whom, for how much, how it went."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RECEIVED = "received", _("Received")
        REJECTED = "rejected", _("Rejected")

    team = models.ForeignKey(
        "teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="joint_proposals"
    )
    title = models.CharField(_("title"), max_length=300)
    donor = models.ForeignKey(
        Funder,
        verbose_name=_("donor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text=_("Empty while the donor is not chosen or not known."),
    )
    agencies = models.ManyToManyField("agencies.Agency", verbose_name=_("agencies"), related_name="joint_proposals")
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[validate_currency])
    amount_requested = money_field(_("amount requested"))
    amount_approved = models.DecimalField(
        _("amount approved"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IDEA)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, help_text=_("Approved or rejected."))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities"), blank=True, related_name="joint_proposals"
    )
    outputs = models.ManyToManyField(Output, verbose_name=_("outputs"), blank=True, related_name="joint_proposals")
    document = models.FileField(_("proposal document"), upload_to=proposal_upload_to, max_length=300, blank=True)
    notes = long_text(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[agencies, activities, outputs])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("joint proposal")
        verbose_name_plural = _("joint proposals")
        ordering = ["team", "-submitted_on", "-id"]
        constraints = [
            *non_negative("proposal", "amount_requested"),
        ]

    def __str__(self):
        return self.title


# --- markers and tags on activities ---------------------------------------------------------------


class Tag(models.Model):
    """A tag an activity may carry, in groups: the groups targeted under "leave no one behind",
    humanitarian / development / peace, nutrition-specific or -sensitive, the system concerned, the
    global initiatives it serves. Reference data in six languages (load_reference_data)."""

    class Group(models.TextChoices):
        LEAVE_NO_ONE_BEHIND = "lnob", _("Leave no one behind")
        NEXUS = "nexus", _("Humanitarian, development, peace")
        NUTRITION = "nutrition", _("Nutrition-specific or -sensitive")
        SYSTEM = "system", _("System concerned")
        INITIATIVE = "initiative", _("Global initiative")

    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_translations = translations_field(_("name in other languages"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["group", "position", "code"]

    def __str__(self):
        return self.localized_name()

    def localized_name(self, language=None):
        return localized(self.name_translations, self.name, language)


# --- joint endorsement and amendments -----------------------------------------------------------------


class EndorsementRule(models.TextChoices):
    ALL = "all", _("When every signatory has endorsed")
    NO_OBJECTION = "no_objection", _("When every signatory has endorsed, or at the deadline if none objected")


class EndorsementPolicy(TimeStamped):
    """How a year's workplans are endorsed, as the Secretariat sets it: the rule, and how many days the
    member agencies' signatories have to answer once a plan is submitted."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rule = models.CharField(_("endorsed"), max_length=16, choices=EndorsementRule.choices, default=EndorsementRule.ALL)
    response_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Signatories are asked to endorse or return a submitted workplan within this many days."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("endorsement policy")
        verbose_name_plural = _("endorsement policies")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}: {self.get_rule_display()}"


class Signatory(TimeStamped):
    """Who signs a team's workplans for one member agency: its head of agency or a person the convener
    (or the Secretariat) designates. Without one, the convener signs for their own agency and an
    agency's primary focal point for theirs (workplans.services.signatories_of)."""

    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="signatories")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "countries.Person", verbose_name=_("signatory"), on_delete=models.PROTECT, related_name="signatory_roles"
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["team", "agency__acronym"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "agency"],
                name="signatory_one_per_team_and_agency",
                violation_error_message=_("This agency already has a signatory in this team: change that one."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.agency}, {self.team})"


class Amendment(TimeStamped):
    """A numbered change to an endorsed workplan: its type, why, what changed field by field, and the
    signed document. Administrative corrections need the convener only; the others go back through
    endorsement by the member agencies."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("Administrative correction")
        BUDGET_MINOR = "budget_minor", _("Budget change up to 20 %")
        BUDGET_MAJOR = "budget_major", _("Budget change over 20 %")
        ACTIVITIES = "activities", _("Change of activities or results")
        TIMELINE = "timeline", _("Timeline extension")

    class Status(models.TextChoices):
        OPEN = "open", _("Being prepared")
        SUBMITTED = "submitted", _("Awaiting endorsement")
        APPROVED = "approved", _("In force")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    workplan = models.ForeignKey(
        Workplan, verbose_name=_("workplan"), on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    reason = long_text(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    baseline = models.JSONField(_("the workplan as endorsed"), default=dict, editable=False)
    changes = models.JSONField(_("changes"), default=list, blank=True, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or withdrawn"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["baseline"])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "workplan__team"

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["workplan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplan", "number"],
                name="amendment_number_unique",
                violation_error_message=_("This workplan already has an amendment with this number."),
            ),
            models.UniqueConstraint(
                fields=["workplan"],
                condition=Q(status__in=["open", "submitted"]),
                name="amendment_one_in_progress",
                violation_error_message=_("An amendment of this workplan is already in progress."),
            ),
        ]

    def __str__(self):
        return gettext("Amendment %(number)s to %(workplan)s") % {"number": self.number, "workplan": self.workplan}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("workplans:amendment", args=[self.pk])

    @property
    def needs_endorsement(self) -> bool:
        return self.kind != self.Kind.ADMINISTRATIVE


class EndorsementRound(TimeStamped):
    """One submission of a workplan (or of an amendment) to the member agencies' signatories."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for signatories")
        ENDORSED = "endorsed", _("Endorsed")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    workplan = models.ForeignKey(
        Workplan, verbose_name=_("workplan"), on_delete=models.CASCADE, related_name="endorsement_rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    amendment = models.ForeignKey(
        Amendment,
        verbose_name=_("amendment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    rule = models.CharField(_("endorsed"), max_length=16, choices=EndorsementRule.choices, default=EndorsementRule.ALL)
    respond_by = models.DateField(_("answer by"))
    comment = long_text(_("comment on submission"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_comment = long_text(_("reason or comment"), blank=True)

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "workplan__team"

    class Meta:
        verbose_name = _("endorsement round")
        verbose_name_plural = _("endorsement rounds")
        ordering = ["workplan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplan", "number"],
                name="endorsement_round_number_unique",
                violation_error_message=_("This workplan already has a round with this number."),
            ),
            models.UniqueConstraint(
                fields=["workplan"],
                condition=Q(status="open"),
                name="endorsement_round_one_open",
                violation_error_message=_("This workplan is already waiting for its signatories."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(close_comment=""),
                name="endorsement_round_returned_has_reason",
                violation_error_message=_("Say why the workplan is returned."),
            ),
        ]

    def __str__(self):
        return f"{self.workplan} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class EndorsementRequest(TimeStamped):
    """One member agency's answer in a round: endorsed or returned (with a comment), by its signatory."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ENDORSED = "endorsed", _("Endorsed")
        RETURNED = "returned", _("Returned")
        NO_OBJECTION = "no_objection", _("No objection by the deadline")
        CLOSED = "closed", _("Not needed any more")

    round = models.ForeignKey(
        EndorsementRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signatory = models.ForeignKey(
        "countries.Person",
        verbose_name=_("signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="endorsement_requests",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    comment = long_text(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField(
        _("recorded by the Secretariat"),
        default=False,
        help_text=_("The Secretariat recorded this agency's answer, received outside the portal."),
    )

    history = HistoricalRecords()
    objects = TeamScopedQuerySet.as_manager()
    team_path = "round__workplan__team"

    class Meta:
        verbose_name = _("endorsement request")
        verbose_name_plural = _("endorsement requests")
        ordering = ["round", "agency__acronym", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "agency"],
                name="endorsement_request_one_per_agency",
                violation_error_message=_("This agency is already asked in this round."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(comment=""),
                name="endorsement_request_returned_has_reason",
                violation_error_message=_("Say why the workplan is returned."),
            ),
        ]

    def __str__(self):
        return f"{self.round}: {self.agency or '—'} ({self.get_status_display()})"
