from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .models import FocalPoint

DATE = forms.DateInput(attrs={"type": "date"})


class FocalPointForm(forms.Form):
    """Add a focal point (agency chosen) or change one's contacts (no agency)."""

    agency = forms.ModelChoiceField(label=_("Member agency"), queryset=Agency.objects.none(), to_field_name="acronym")
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Job title"), max_length=300, required=False)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    is_primary = forms.BooleanField(label=_("Primary focal point of the agency"), required=False)
    start_date = forms.DateField(label=_("Since"), required=False, widget=DATE, help_text=_("Empty: today."))
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, team=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["agency"]
        else:
            del self.fields["version"]
            self.fields["agency"].queryset = Agency.objects.filter(
                team_memberships__team=team, team_memberships__end_date__isnull=True
            ).order_by("acronym")


class EndFocalPointForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=FocalPoint.EndReason.choices)
    note = forms.CharField(
        label=_("In a few words"), max_length=300, required=False, help_text=_("Needed when the reason is 'other'.")
    )
    end_date = forms.DateField(label=_("Last day"), required=False, widget=DATE, help_text=_("Empty: today."))


class ProposeMemberForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("acronym"), to_field_name="acronym"
    )
    start_date = forms.DateField(label=_("Member from"), required=False, widget=DATE)
    note = forms.CharField(label=_("Why"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideProposalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Confirm")), ("decline", _("Decline"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, help_text=_("Needed to decline."))


class ConvenerContactsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Job title"), max_length=300, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
