"""Portal forms for results. They check types and choices; the rules (units, ranges, periods, roles)
are the services', whose messages the views put back on the form (core.forms.add_service_errors)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.i18n import localized_label, sort_localized
from countries.models import Subdivision
from workplans.forms import use_local_dates
from workplans.models import LONG_TEXT, ReportingPeriod

from .evidence import accepted_names, max_bytes
from .models import INDICATOR_PLANNING_FIELDS, AgeGroup, Attachment, Indicator, Sex, StandardIndicator, Unit


def parse_result(text: str, unit: str | None):
    """A value typed in a box, for an indicator measured in `unit`: (number, words).

    Numbers are read with a point or a comma as the decimal mark; "yes" and "no" (in the reader's
    language too) are 1 and 0; for a qualitative indicator the words are kept. What does not read
    as the unit says goes to the service as it is, which refuses it with its own message."""
    text = " ".join((text or "").split())
    if not text:
        return None, ""
    if unit == Unit.QUALITATIVE:
        return None, text
    lowered = text.lower()
    if lowered in {"yes", gettext("yes").lower()}:
        return Decimal(1), ""
    if lowered in {"no", gettext("no").lower()}:
        return Decimal(0), ""
    candidate = text.replace("\u00a0", "").replace(" ", "").rstrip("%")
    if candidate.count(",") == 1 and "." not in candidate:
        candidate = candidate.replace(",", ".")
    try:
        return Decimal(candidate), ""
    except InvalidOperation:
        return None, text


def shown_result(value, text: str = "", unit: str | None = None) -> str:
    """A value as the form shows it back."""
    if value is None:
        return text or ""
    if unit == Unit.YES_NO:
        return gettext("yes") if value == 1 else gettext("no")
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


class IndicatorForm(forms.ModelForm):
    """An indicator of an output: from the catalogue or the team's own, its baseline and its targets.

    Targets are asked for the workplan's year (mid-year and annual) and the next year (annual);
    values are typed as the unit says: a number, a percentage, yes or no, or words."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    baseline = forms.CharField(label=_("Baseline"), required=False, max_length=500)

    class Meta:
        model = Indicator
        fields = [name for name in INDICATOR_PLANNING_FIELDS if name not in ("baseline_value", "baseline_text")]
        widgets = {"means_of_verification": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, workplan, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplan = workplan
        year = workplan.year
        self.target_keys = [
            (year, ReportingPeriod.Kind.MID_YEAR),
            (year, ReportingPeriod.Kind.ANNUAL),
            (year + 1, ReportingPeriod.Kind.ANNUAL),
        ]
        existing = {}
        if self.instance.pk:
            existing = {(t.year, t.period_kind): t for t in self.instance.targets.all()}
            self.initial.setdefault(
                "baseline", shown_result(self.instance.baseline_value, self.instance.baseline_text, self.instance.unit)
            )
        for target_year, kind in self.target_keys:
            name = self.target_field(target_year, kind)
            self.fields[name] = forms.CharField(
                label=_("Target: %(period)s %(year)s")
                % {"period": ReportingPeriod.Kind(kind).label, "year": target_year},
                required=False,
                max_length=500,
            )
            if (target_year, kind) in existing:
                target = existing[(target_year, kind)]
                self.initial.setdefault(name, shown_result(target.value, target.text, self.instance.unit))
        self.extra_targets = [
            t for key, t in existing.items() if key not in self.target_keys
        ]  # kept as they are (set through the API)
        self.fields["output"].queryset = workplan.outputs.all()
        standard = self.fields["standard"]
        standard.queryset = StandardIndicator.objects.filter(is_active=True) | (
            StandardIndicator.objects.filter(pk=self.instance.standard_id)
            if self.instance.standard_id
            else StandardIndicator.objects.none()
        )
        standard.widget.choices = [("", _("None: the team's own indicator"))] + sort_localized(
            (
                (s.pk, f"{s.localized_name().plain}" + (f" (SDG {s.sdg_indicator})" if s.sdg_indicator else ""))
                for s in standard.queryset
            ),
            key=lambda row: row[1],
        )
        agency = self.fields["responsible_agency"]
        agency.queryset = Agency.objects.order_by("acronym")
        agency.label_from_instance = lambda a: f"{a.acronym} – {localized_label(a)}"
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the standard indicator's name.")
        for name in ("unit", "direction"):
            self.fields[name].required = False
            self.fields[name].help_text = _("A standard indicator keeps the catalogue's.")
        self.fields["baseline"].help_text = _(
            "A number, a percentage, yes or no, or words for a qualitative indicator; with its year."
        )
        if not workplan.team.country_id:
            self.fields["by_province"].disabled = True

    @staticmethod
    def target_field(year: int, kind: str) -> str:
        return f"target_{year}_{kind}"

    def unit(self) -> str | None:
        standard = self.cleaned_data.get("standard")
        return standard.unit if standard else (self.cleaned_data.get("unit") or Unit.NUMBER)

    def model_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["baseline_value"], data["baseline_text"] = parse_result(self.cleaned_data.get("baseline"), self.unit())
        data["sdg_indicator"] = data.get("sdg_indicator") or ""
        return data

    def targets(self) -> list[dict]:
        rows = [
            {"year": t.year, "period_kind": t.period_kind, "value": t.value, "text": t.text} for t in self.extra_targets
        ]
        for year, kind in self.target_keys:
            raw = self.cleaned_data.get(self.target_field(year, kind))
            value, text = parse_result(raw, self.unit())
            if value is None and not text:
                continue
            rows.append({"year": year, "period_kind": kind, "value": value, "text": text})
        return rows


class ValueForm(forms.Form):
    """An actual value for a period: the total, or a breakdown where the indicator has them."""

    period = forms.ModelChoiceField(label=_("Period"), queryset=ReportingPeriod.objects.none())
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("All"))] + list(Sex.choices), required=False)
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=[("", _("All"))] + list(AgeGroup.choices), required=False
    )
    subdivision = forms.ModelChoiceField(
        label=_("Province"), queryset=Subdivision.objects.none(), required=False, empty_label=_("All (national)")
    )
    result = forms.CharField(label=_("Value"), required=False, max_length=LONG_TEXT)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, indicator: Indicator, periods=None, fixed_period=None, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        workplan = indicator.output.workplan
        if fixed_period is not None or correcting:
            del self.fields["period"]
        else:
            self.fields["period"].queryset = (
                periods
                if periods is not None
                else ReportingPeriod.objects.filter(year=workplan.year, closed_at__isnull=True)
            )
        if correcting or not indicator.by_sex:
            del self.fields["sex"]
        if correcting or not indicator.by_age_group:
            del self.fields["age_group"]
        if correcting or not indicator.by_province:
            del self.fields["subdivision"]
        else:
            self.fields["subdivision"].queryset = Subdivision.objects.filter(
                country_id=workplan.team.country_id
            ).order_by("name")
        self.fixed_period = fixed_period
        unit = indicator.unit
        help_texts = {
            Unit.NUMBER: _("A number."),
            Unit.PERCENT: _("A percentage, from 0 to 100."),
            Unit.YES_NO: _("Yes or no."),
            Unit.QUALITATIVE: _("The result in words."),
        }
        self.fields["result"].help_text = help_texts[unit]
        if unit == Unit.YES_NO:
            self.fields["result"].widget = forms.Select(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
        elif unit == Unit.QUALITATIVE:
            self.fields["result"].widget = forms.Textarea(attrs={"rows": 3})
        else:
            self.fields["result"].widget.attrs["inputmode"] = "decimal"

    def data_for_service(self) -> dict:
        value, text = parse_result(self.cleaned_data.get("result"), self.indicator.unit)
        data = {"value": value, "text": text, "comment": self.cleaned_data.get("comment") or ""}
        for name in ("sex", "age_group", "subdivision"):
            if name in self.fields:
                data[name] = self.cleaned_data.get(name) or ("" if name != "subdivision" else None)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=LONG_TEXT)


class AttachmentForm(forms.ModelForm):
    """Evidence: a file (checked by its content, up to the size limit) or a link."""

    upload = forms.FileField(label=_("File"), required=False)

    class Meta:
        model = Attachment
        fields = ["kind", "title", "document_date", "language", "visibility", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        use_local_dates(self, "document_date")
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file's name.")
        self.fields["language"].choices = [("", "—")] + list(settings.LANGUAGES)
        self.fields["upload"].help_text = _("Up to %(size)s. Accepted: %(types)s.") % {
            "size": _size(max_bytes()),
            "types": accepted_names(),
        }
        self.fields["upload"].widget.attrs["accept"] = accepted_names().replace(" ", "")
        self.fields["url"].help_text = _("Or a link to the document (https://...), instead of a file.")
        if editing:
            del self.fields["upload"]
            if not self.instance.is_link:
                del self.fields["url"]

    def metadata(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.fields}


def _size(n: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(n)
