import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from countries.models import Subdivision

from .models import (
    ACTIVITY_PLANNING_FIELDS,
    LONG_TEXT,
    OUTPUT_PLANNING_FIELDS,
    Activity,
    CooperationOutcome,
    NationalFramework,
    Output,
    ProgressUpdate,
    ReportingPeriod,
    SdgTarget,
    currency_choices,
)
from .validation import MAX_SDG_TARGETS, activity_problems, output_problems


def date_format_in_use() -> str:
    """Dates are typed as ISO 8601 (2026-01-03) in every language (unnutrition/formats): the one
    numeric form nobody reads as 1 March; pages show them as "3 Jan 2026", "2026年1月3日"..."""
    return formats.get_format("DATE_INPUT_FORMATS")[0]


def date_example() -> str:
    return EXAMPLE_DAY.strftime(date_format_in_use())


EXAMPLE_DAY = dt.date(2026, 12, 31)


class LocalDateInput(forms.TextInput):
    """A text box for a date, typed as 2026-01-03 whatever the language. The browser's own date
    picker (`type="date"`) shows the browser's locale, which is not the language the user chose."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "inputmode": "numeric", "class": "date-input", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return value.strftime(date_format_in_use())
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_example())
        return context


class LocalDateField(forms.DateField):
    """Accepts ISO 8601, the format every language types dates in (unnutrition/formats)."""

    widget = LocalDateInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_formats = []  # decided per request, in the active language: see strptime

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            for fmt in (date_format_in_use(), "%Y-%m-%d"):
                try:
                    return dt.datetime.strptime(value.strip(), fmt).date()
                except ValueError:
                    continue
            raise forms.ValidationError(
                _("Enter the date as %(example)s (for 31 December 2026).") % {"example": date_example()},
                code="invalid",
            )
        return super().to_python(value)


def use_local_dates(form, *names: str) -> None:
    """Swap the form's date fields for ones in the portal's language, keeping label and rules."""
    for name in names:
        old = form.fields[name]
        form.fields[name] = LocalDateField(
            label=old.label, required=old.required, initial=old.initial, validators=old.validators
        )
        form.fields[name].help_text = _("For example %(example)s.") % {"example": date_example()}


def sdg_choices() -> list:
    """SDG targets grouped by goal, with their full text in the reader's language: the picker is
    searched by words."""
    groups: dict = {}
    for target in SdgTarget.objects.select_related("goal").order_by("goal__number", "position"):
        # The official UN texts in the reader's language (English where a language has none loaded).
        title = target.goal.localized_title()
        label = _("Goal %(number)s: %(title)s") % {"number": target.goal.number, "title": title}
        groups.setdefault(label, []).append((target.pk, f"{target.code} {target.localized_text()}"))
    return list(groups.items())


def outcome_label(outcome: CooperationOutcome) -> str:
    framework = outcome.framework
    return f"{outcome.code} {outcome.title} (UNSDCF {framework.start_year}–{framework.end_year})"


class ActivityForm(forms.ModelForm):
    """Add or edit an activity. `version` carries the last-save time the editor saw,
    so a concurrent save by someone else is detected instead of overwritten."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = ACTIVITY_PLANNING_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "participating_agencies": forms.CheckboxSelectMultiple,
            "sdg_targets": forms.SelectMultiple(attrs={"size": 10, "data-picker": "sdg"}),
            "national_frameworks": forms.CheckboxSelectMultiple,
            "subdivisions": forms.SelectMultiple(attrs={"size": 6, "data-picker": "list"}),
        }
        help_texts = {
            "subdivisions": _("Only when the activity is not national."),
        }

    def __init__(self, *args, workplan, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplan = workplan
        country = workplan.team.country_id
        members = Agency.objects.filter(team_memberships__team=workplan.team)
        self.fields["lead_agency"].queryset = Agency.objects.order_by("acronym")
        self.fields["participating_agencies"].queryset = Agency.objects.order_by("acronym")
        self.fields["participating_agencies"].help_text = _("Team members: %(list)s") % {
            "list": ", ".join(members.values_list("acronym", flat=True)) or "—"
        }
        self.fields["subdivisions"].queryset = Subdivision.objects.filter(country_id=country).order_by("name")
        self.fields["output"].queryset = workplan.outputs.all()
        if not workplan.outputs.exists():
            self.fields["output"].help_text = _("This workplan has no output yet: add its joint outputs first.")
        self._set_frameworks(country)
        self._set_outcomes(country)
        targets = self.fields["sdg_targets"]
        targets.widget.choices = sdg_choices()
        targets.widget.attrs["data-max-items"] = str(MAX_SDG_TARGETS)
        targets.widget.attrs["data-placeholder"] = _("Type words or a code, e.g. stunting or 2.2")
        targets.widget.attrs["data-no-results"] = _("No SDG target matches.")
        targets.widget.attrs["data-max-message"] = _("%(max)s targets chosen: the most UN INFO takes.") % {
            "max": MAX_SDG_TARGETS
        }
        targets.help_text = _(
            "Up to %(max)s targets (UN INFO's limit). Type to search; hold Ctrl to choose several."
        ) % {"max": MAX_SDG_TARGETS}
        # A currency is chosen from ISO 4217, never typed.
        self.fields["currency"].widget = forms.Select(choices=currency_choices())
        use_local_dates(self, "start_date", "end_date")

    def _set_frameworks(self, country):
        field = self.fields["national_frameworks"]
        field.queryset = NationalFramework.objects.filter(country_id=country)
        field.label_from_instance = lambda f: f"{f.name} ({f.period})" if f.period else f.name
        if not field.queryset.exists():
            field.disabled = True
            field.help_text = _("No national framework is recorded for this country yet; the Secretariat adds them.")

    def _set_outcomes(self, country):
        """The outcomes of the country's Cooperation Framework running in the plan's year."""
        field = self.fields["cooperation_outcome"]
        year = self.workplan.year
        field.queryset = CooperationOutcome.objects.filter(
            framework__country_id=country, framework__start_year__lte=year, framework__end_year__gte=year
        ).select_related("framework")
        field.label_from_instance = outcome_label
        if self.instance.cooperation_outcome_id:
            # An outcome set before (by the API, or of a framework since changed) stays choosable.
            field.queryset = field.queryset | CooperationOutcome.objects.filter(pk=self.instance.cooperation_outcome_id)
        if not field.queryset.exists():
            field.disabled = True
            field.help_text = _("No Cooperation Framework covering %(year)s is recorded for this country.") % {
                "year": year
            }

    def clean(self):
        cleaned = super().clean()
        self.instance.workplan = self.workplan
        for field, messages in activity_problems(
            workplan=self.workplan,
            is_national=cleaned.get("is_national"),
            subdivisions=cleaned.get("subdivisions"),
            frameworks=cleaned.get("national_frameworks"),
            lead_agency=cleaned.get("lead_agency"),
            participating=cleaned.get("participating_agencies"),
            start_date=cleaned.get("start_date"),
            end_date=cleaned.get("end_date"),
            sdg_targets=cleaned.get("sdg_targets"),
            cooperation_outcome=cleaned.get("cooperation_outcome"),
            output=cleaned.get("output"),
        ).items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start and "end_date" not in self.errors:
            # The model's rule, said at the field it is about (the form then skips the constraint).
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return cleaned

    def model_data(self) -> dict:
        """The cleaned values of the model's fields, for services.update_activity."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["reported_on", "period", "percent_complete", "status", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_local_dates(self, "reported_on")
        # The open periods of the workplan's year; left empty, the service picks the one the date falls in.
        year = self.instance.activity.workplan.year
        field = self.fields["period"]
        field.queryset = ReportingPeriod.objects.filter(year=year, closed_at__isnull=True).order_by("end_date")
        field.empty_label = _("The period the date falls in")
        if not field.queryset.exists():
            field.disabled = True
            field.help_text = _("The Secretariat has opened no reporting period for %(year)s.") % {"year": year}


def outputs_outcome_field(form, workplan) -> None:
    """The outcomes of the country's Cooperation Framework running in the plan's year, and its national
    frameworks, for an output's links."""
    country, year = workplan.team.country_id, workplan.year
    field = form.fields["cooperation_outcome"]
    field.queryset = CooperationOutcome.objects.filter(
        framework__country_id=country, framework__start_year__lte=year, framework__end_year__gte=year
    ).select_related("framework")
    field.label_from_instance = outcome_label
    if not field.queryset.exists():
        field.disabled = True
        field.help_text = _("No Cooperation Framework covering %(year)s is recorded for this country.") % {"year": year}
    frameworks = form.fields["national_framework"]
    frameworks.queryset = NationalFramework.objects.filter(country_id=country)
    frameworks.label_from_instance = lambda f: f"{f.name} ({f.period})" if f.period else f.name
    if not frameworks.queryset.exists():
        frameworks.disabled = True
        frameworks.help_text = _("No national framework is recorded for this country yet; the Secretariat adds them.")


class OutputForm(forms.ModelForm):
    """A joint output of a workplan and what it is aligned to. `version` carries the last-save time the
    editor saw, so a concurrent save by someone else is refused instead of overwritten."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Output
        fields = OUTPUT_PLANNING_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"position": _("Outputs are listed in this order (1, 2, 3...).")}

    def __init__(self, *args, workplan, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplan = workplan
        outputs_outcome_field(self, workplan)

    def clean(self):
        cleaned = super().clean()
        self.instance.workplan = self.workplan
        for field, messages in output_problems(
            workplan=self.workplan,
            cooperation_outcome=cleaned.get("cooperation_outcome"),
            national_framework=cleaned.get("national_framework"),
            national_objective=cleaned.get("national_objective") or "",
        ).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def model_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReportingPeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "kind", "start_date", "end_date", "due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_local_dates(self, "start_date", "end_date", "due_date")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=LONG_TEXT)


class CopyWorkplanForm(forms.Form):
    """Copy a workplan into a new year: which year, which activities (by default those still
    running: not closed or cancelled), and the new year's summary (last year's stays there)."""

    year = forms.IntegerField(label=_("Year of the new workplan"), min_value=2000, max_value=2100)
    activities = forms.ModelMultipleChoiceField(
        label=_("Activities to carry over"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Closed and cancelled activities are left out unless you tick them."),
    )
    summary = forms.CharField(
        label=_("Summary of the new workplan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT,
        help_text=_("Last year's summary stays with last year's plan. You can write this one later."),
    )

    def __init__(self, *args, workplan, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplan = workplan
        self.team = workplan.team
        field = self.fields["activities"]
        field.queryset = workplan.activities.order_by("start_date", "id")
        field.label_from_instance = lambda a: f"{a.title} ({a.get_status_display()})"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year <= self.workplan.year:
            raise forms.ValidationError(_("Copy into a year after %(year)s.") % {"year": self.workplan.year})
        if self.team.workplans.filter(year=year).exists():
            raise forms.ValidationError(_("This team already has a workplan for %(year)s.") % {"year": year})
        return year
