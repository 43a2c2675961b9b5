from django import forms
from django.utils.translation import gettext_lazy as _

from countries.models import Region
from teams.models import Team

from . import file_kinds, services
from .models import ReportRun


class ReportRequestForm(forms.Form):
    """The portal's "request a report" form.

    It offers only what the user may request, but accepts any kind and team so
    that a forged request reaches reports.services and is refused there with
    the reason (403), as in the API.
    """

    kind = forms.ChoiceField(label=_("Report"), choices=ReportRun.Kind.choices)
    format = forms.ChoiceField(
        label=_("Format"),
        # The CSV report is several tables: a ZIP with one file each (reports/renderers/csv.py).
        choices=[
            (value, _("CSV files, one per table (ZIP)") if value == ReportRun.Format.CSV else label)
            for value, label in ReportRun.Format.choices
        ],
        initial=ReportRun.Format.PDF,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("level", "name"),
        to_field_name="slug",
        required=False,
        help_text=_("For a regional report: the region, with its sub-regions."),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("For a country report."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = services.default_year()
        kinds = services.requestable_kinds(user)
        self.fields["kind"].widget.choices = [
            (value, label) for value, label in ReportRun.Kind.choices if value in kinds
        ]
        if ReportRun.Kind.REGIONAL not in kinds:
            del self.fields["region"]
        if ReportRun.Kind.COUNTRY in kinds:
            teams = services.requestable_teams(user)
            self.fields["team"].widget.choices = [("", "---------"), *teams.values_list("pk", "name")]
            if set(kinds) <= set(ReportRun.TEAM_KINDS):
                self.fields["team"].help_text = ""
        else:
            del self.fields["team"]
        self.may_request = bool(kinds)
        self.fields["format"].help_text = _("The UN INFO sheet is always an Excel workbook, IATI always XML.")

    def clean(self):
        cleaned = super().clean()
        # A file for another system comes in its one format, whatever the format field says.
        fixed = file_kinds.format_of(cleaned.get("kind") or "")
        if fixed:
            cleaned["format"] = fixed
        return cleaned
