"""Forms of the yearly cycle's pages: deadlines (the Secretariat), how each kind of notification arrives."""

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Team
from workplans.forms import LocalDateField
from workplans.models import EndorsementRule

from .models import Deadline, Delivery, Kind


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is due"), choices=Deadline.Kind.choices)
    due_on = LocalDateField(label=_("Due on"))
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("Every team"),
        help_text=_("Choose a team to give it its own date (an exception to the date for every team)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PreferencesForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args, choices: dict[str, str], kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds or Kind.values:
            self.fields[kind] = forms.ChoiceField(
                label=Kind(kind).label, choices=Delivery.choices, initial=choices.get(kind), widget=forms.RadioSelect
            )


class PolicyForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("A workplan is endorsed"), choices=EndorsementRule.choices, widget=forms.RadioSelect
    )
    response_days = forms.IntegerField(
        label=_("Days the signatories have to answer"), min_value=1, max_value=120, initial=14
    )
