"""The dashboard's "needs attention" lists, whole: filters, counts per team (or region), pages
and a CSV export, so an officer can work through them. The rows come from reports.selectors,
by the same rules as the data-quality report and the dashboard's cards."""

import csv

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from agencies.models import Agency
from core.i18n import localize_model_choices
from core.spreadsheets import inert_text
from countries.models import Region
from reports.selectors import (
    ATTENTION_KINDS,
    AttentionFilter,
    attention_counts_by_region,
    attention_counts_by_team,
    attention_rows,
    due_date,
)
from teams.models import Team
from workplans.models import Activity

from .years import InvalidYear, selected_year, year_choices

PAGE_SIZE = 50


def titles(kind: str, year: int) -> str:
    if kind == "no-convener":
        return gettext("Teams without a convener, %(year)s") % {"year": year}
    if kind == "not-submitted":
        due = due_date(year, settings.REPORTS_WORKPLAN_DUE)
        return gettext("Teams without a workplan submitted by %(due)s") % {"due": date_format(due, "DATE_FORMAT")}
    return gettext("Activities not updated in %(days)s days, %(year)s") % {
        "days": settings.REPORTS_STALE_ACTIVITY_DAYS,
        "year": year,
    }


class AttentionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        error_messages={"invalid_choice": _("Unknown region: choose one from the list.")},
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Unknown team: choose an active country team or regional group.")},
    )
    agency = forms.ModelChoiceField(
        label=_("Lead agency"),
        queryset=Agency.objects.order_by("acronym"),
        to_field_name="acronym",
        required=False,
        error_messages={"invalid_choice": _("Unknown agency: choose an acronym from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        error_messages={"invalid_choice": _("Unknown status: choose one from the list.")},
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        localize_model_choices(self.fields["region"])  # names and order of the reader's language
        if kind == "stale":
            self.fields["team"].queryset = Team.objects.coordinating().order_by("name")
            localize_model_choices(self.fields["team"])
            self.fields["team"].widget.attrs.update(
                {"data-picker": "list", "data-placeholder": _("Type a team's name")}
            )
            self.fields["status"].choices = [("", "—")] + [
                (status, label)
                for status, label in Activity.Status.choices
                if status in (Activity.Status.IMPLEMENTATION, Activity.Status.FINALISATION)
            ]
        else:
            del self.fields["team"], self.fields["agency"]
            if kind == "not-submitted":
                self.fields["status"].label = _("Workplan")
                self.fields["status"].choices = [("", "—"), ("draft", _("Draft")), ("none", _("No workplan"))]
            else:
                del self.fields["status"]

    def chosen(self) -> AttentionFilter:
        data = self.cleaned_data
        agency = data.get("agency")
        return AttentionFilter(
            region=data.get("region"),
            team=data.get("team"),
            agency=agency.acronym if agency else "",
            status=data.get("status") or "",
            q=(data.get("q") or "").strip(),
        )


def csv_columns(kind: str):
    """(header, value of a row) for the export; the same columns the page shows."""
    if kind == "no-convener":
        return [
            (_("Team"), lambda r: r["name"]),
            (_("Country"), lambda r: r["country__name"] or ""),
            (
                _("Last convener"),
                lambda r: r["last_agency"] or (gettext("Resident Coordinator") if r["last_is_rc"] else ""),
            ),
            (_("Term ended"), lambda r: r["last_end"].isoformat() if r["last_end"] else ""),
        ]
    if kind == "not-submitted":
        return [
            (_("Team"), lambda r: r["name"]),
            (_("Country"), lambda r: r["country__name"] or ""),
            (_("Workplan"), lambda r: gettext("Draft") if r["workplan_status"] else gettext("No workplan")),
            (_("Convener"), lambda r: r["convener"] or ""),
        ]
    return [
        (_("Activity"), lambda r: r["title"]),
        (_("Team"), lambda r: r["workplan__team__name"]),
        (_("Country"), lambda r: r["workplan__team__country__name"] or ""),
        (_("Lead agency"), lambda r: r["lead_agency__acronym"]),
        (_("Status"), lambda r: str(Activity.Status(r["status"]).label)),
        (_("Start date"), lambda r: r["start_date"].isoformat()),
        (
            _("Last progress update"),
            lambda r: r["last_progress_at"].date().isoformat() if r["last_progress_at"] else "",
        ),
    ]


class AttentionView(LoginRequiredMixin, View):
    """GET /dashboard/attention/<kind>/?year=&region=&...; `format=csv` exports every matching row."""

    def get(self, request, kind):
        if kind not in ATTENTION_KINDS:
            raise Http404
        context = {"kind": kind, "years": year_choices()}
        try:
            year = selected_year(request)
        except InvalidYear as error:
            context |= {"year_error": str(error), "year": timezone.localdate().year}
            return render(request, "attention.html", context, status=400)
        form = AttentionFilterForm(request.GET, kind=kind)
        context |= {"year": year, "title": titles(kind, year), "form": form}
        if not form.is_valid():
            return render(request, "attention.html", context, status=400)
        rows = attention_rows(kind, year, form.chosen())
        if request.GET.get("format") == "csv":
            return self.export(kind, year, rows)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        for row in page.object_list:
            if "status" in row:
                row["status_label"] = Activity.Status(row["status"]).label
        counts = attention_counts_by_team(rows) if kind == "stale" else attention_counts_by_region(rows)
        context |= {"page": page, "count": page.paginator.count, "counts": counts}
        return render(request, "attention.html", context)

    def export(self, kind: str, year: int, rows) -> HttpResponse:
        columns = csv_columns(kind)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="needs-attention-{kind}-{year}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 (accents, Arabic) only with a byte-order mark
        writer = csv.writer(response)
        writer.writerow([str(header) for header, _ in columns])
        for row in rows.iterator(chunk_size=2000):
            writer.writerow([inert_text(value(row)) for _, value in columns])
        return response
