from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from countries.models import Subdivision

from .models import ACTIVITY_PLANNING_FIELDS, Activity, NationalFramework, ProgressUpdate, currency_choices
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
    year = forms.IntegerField(label=_("Year of the new workplan"), min_value=2000, max_value=2100)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.team.workplans.filter(year=year).exists():
            raise forms.ValidationError(_("This team already has a workplan for %(year)s.") % {"year": year})
        return year
