"""Portal forms for contributions and joint proposals (the rules are the services')."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .forms import use_local_dates
from .models import Activity, Contribution, Funder, JointProposal, Output, currency_choices


class ContributionForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contribution
        fields = ["agency", "kind", "amount", "person_days", "funder", "note"]
        help_texts = {"amount": _("In the activity's currency; for staff time, its value if known.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("acronym")
        offered = Funder.objects.filter(is_active=True)
        if self.instance.pk:
            offered = offered | Funder.objects.filter(pk=self.instance.funder_id)
        self.fields["funder"].queryset = offered.order_by("kind", "name")

    def model_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProposalForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = JointProposal
        fields = [
            "title",
            "donor",
            "agencies",
            "currency",
            "amount_requested",
            "amount_approved",
            "status",
            "submitted_on",
            "decided_on",
            "received_on",
            "activities",
            "outputs",
            "document",
            "notes",
        ]
        widgets = {
            "agencies": forms.CheckboxSelectMultiple,
            "activities": forms.CheckboxSelectMultiple,
            "outputs": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "currency": forms.Select(choices=currency_choices()),
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.order_by("acronym")
        self.fields["donor"].queryset = Funder.objects.filter(is_active=True).order_by("kind", "name")
        self.fields["activities"].queryset = Activity.objects.filter(workplan__team=team).order_by(
            "-workplan__year", "title"
        )
        self.fields["outputs"].queryset = Output.objects.filter(workplan__team=team).order_by("-workplan__year")
        use_local_dates(self, "submitted_on", "decided_on", "received_on")

    def model_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "document"}
        if self.cleaned_data.get("document"):
            data["document"] = self.cleaned_data["document"]
        return data
