"""Forms of the workflow pages: a comment or a reason on each step, an amendment, a signatory."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import current_on
from countries.models import Person
from teams.models import ConvenerTerm, FocalPoint

from .models import LONG_TEXT, Amendment


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with this step in the workplan's history; the people notified read it."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it returned?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The team reads it to fix the plan; it is kept in the history."),
        error_messages={"required": _("Say why the workplan is returned: the team reads it to fix the plan.")},
    )


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of amendment"), choices=Amendment.Kind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the workplan is amended: it is kept with the amendment.")},
    )


class SignatoryForm(forms.Form):
    """Designate who signs for a member agency: a person of the team's roster or of that agency."""

    agency = forms.ChoiceField(label=_("Member agency"))
    person = forms.ModelChoiceField(label=_("Signatory"), queryset=Person.objects.none())

    def __init__(self, *args, team, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [("", "—")] + [(str(a.pk), f"{a.acronym}") for a in agencies]
        day = timezone.localdate()
        focal_points = FocalPoint.objects.filter(current_on(day), member__team=team).values("person_id")
        conveners = ConvenerTerm.objects.filter(current_on(day), team=team).values("person_id")
        with_account = Q(user__isnull=False, agency__in=[a.pk for a in agencies])
        self.fields["person"].queryset = (
            Person.objects.filter(Q(pk__in=focal_points) | Q(pk__in=conveners) | with_account)
            .select_related("agency")
            .order_by("name")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.name} ({p.agency.acronym if p.agency_id else '—'})"

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]
