from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from countries.models import Subdivision

from .models import (
    ACTIVITY_PLANNING_FIELDS,
    LONG_TEXT,
    Activity,
    NationalFramework,
    ProgressUpdate,
    currency_choices,
)
from .validation import activity_problems


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActivityForm(forms.ModelForm):
    """Add or edit an activity. `version` carries the last-save time the editor saw,
    so a concurrent save by someone else is detected instead of overwritten."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        # The Cooperation Framework outcome is set by the Secretariat (admin, API).
        fields = [name for name in ACTIVITY_PLANNING_FIELDS if name != "cooperation_outcome"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "participating_agencies": forms.CheckboxSelectMultiple,
            "sdg_targets": forms.SelectMultiple(attrs={"size": 6}),
            "national_frameworks": forms.CheckboxSelectMultiple,
            "subdivisions": forms.SelectMultiple(attrs={"size": 6}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {
            "sdg_targets": _("Hold Ctrl (Cmd on a Mac) to choose several."),
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
        self.fields["national_frameworks"].queryset = NationalFramework.objects.filter(country_id=country)
        self.fields["sdg_targets"].label_from_instance = lambda t: f"{t.code} {t.text[:70]}"
        # A currency is chosen from ISO 4217, never typed.
        self.fields["currency"].widget = forms.Select(choices=currency_choices())

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
        ).items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def model_data(self) -> dict:
        """The cleaned values of the model's fields, for services.update_activity."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["reported_on", "percent_complete", "status", "text"]
        widgets = {"reported_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}


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
