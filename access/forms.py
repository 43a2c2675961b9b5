from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from teams.models import FocalPoint

from .models import CONVENING_ROLES, Invitation, Role

DATE = forms.DateInput(attrs={"type": "date"})


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    title = forms.CharField(label=_("Job title"), max_length=300, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.order_by("acronym"),
        to_field_name="acronym",
        required=False,
        help_text=_("The member agency of a focal point; the convening agency of a convener."),
    )
    by_resident_coordinator = forms.BooleanField(label=_("For the Resident Coordinator's office"), required=False)
    starts_on = forms.DateField(label=_("Role starts"), required=False, widget=DATE)
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    message = forms.CharField(
        label=_("Personal message"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        if team is not None:
            self.fields["agency"].queryset = Agency.objects.order_by("acronym")
        else:
            self.fields["role"].choices = [(Role.VIEWER.value, Role.VIEWER.label)]
            for name in ("agency", "by_resident_coordinator", "starts_on"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.FOCAL_POINT and not data.get("agency"):
            self.add_error("agency", _("Choose the member agency the focal point is for."))
        if role in CONVENING_ROLES and not data.get("agency") and not data.get("by_resident_coordinator"):
            self.add_error("agency", _("Name the convening agency, or tick 'For the Resident Coordinator's office'."))
        return data


class HandOverForm(forms.Form):
    name = forms.CharField(label=_("Successor's name"), max_length=200)
    email = forms.EmailField(label=_("Successor's e-mail"))
    title = forms.CharField(label=_("Successor's title"), max_length=300, required=False)
    agency = forms.ModelChoiceField(
        label=_("Convening agency"),
        queryset=Agency.objects.order_by("acronym"),
        to_field_name="acronym",
        required=False,
        help_text=_("Empty: the same agency as now."),
    )
    by_resident_coordinator = forms.BooleanField(label=_("The Resident Coordinator's office convenes"), required=False)
    starts_on = forms.DateField(label=_("Takes over on"), widget=DATE)
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    message = forms.CharField(
        label=_("Personal message"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeaveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=FocalPoint.EndReason.choices)
    note = forms.CharField(
        label=_("In a few words"), max_length=300, required=False, help_text=_("Needed when the reason is 'other'.")
    )
    end_date = forms.DateField(
        label=_("Last day in the role"), widget=DATE, required=False, help_text=_("Empty: today.")
    )
    successor_name = forms.CharField(label=_("Successor's name"), max_length=200, required=False)
    successor_email = forms.EmailField(
        label=_("Successor's e-mail"), required=False, help_text=_("They get an invitation to take over your role.")
    )
    language = forms.ChoiceField(
        label=_("Language of the successor's e-mail"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )

    def clean(self):
        data = super().clean()
        if data.get("successor_email") and not data.get("successor_name"):
            self.add_error("successor_name", _("Give your successor's name too."))
        return data


class AcceptForm(forms.Form):
    """A new account for an invitation: a username (the e-mail by default) and a password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class AccessRequestForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Your agency"), queryset=Agency.objects.none(), to_field_name="acronym")
    message = forms.CharField(
        label=_("Who you are"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: I am WFP's nutrition focal point in Chad."),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["agency"].queryset = Agency.objects.filter(
            team_memberships__team=team, team_memberships__end_date__isnull=True
        ).order_by("acronym") | Agency.objects.filter(
            team_memberships__team=team, team_memberships__end_date__gte=today
        ).order_by("acronym")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("decline", _("Decline"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to decline: the requester reads it."),
    )


INVITATION_STATUSES = Invitation.Status
