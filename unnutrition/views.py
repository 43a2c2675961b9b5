"""Pages that span the apps: the public overview, the dashboard, the coverage map, a country's
page (its teams, platforms and frameworks), history."""

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.vary import vary_on_headers
from django.views.generic import TemplateView

from accounts.rules import is_secretariat, is_signed_in
from agencies.models import Agency
from core.history import history_entries
from core.i18n import sort_localized
from core.request_log import request_id_var
from core.unavailable import current_error_is_database_unavailable, database_unavailable_response
from countries.models import Country
from countries.selectors import localized_names_by_numeric
from reports.selectors import attention_counts_by_team, attention_lists, attention_rows
from teams.models import team_roles
from teams.rules import view_team
from teams.selectors import roster_queryset
from workplans.models import ActionArea, Workplan
from workplans.rules import view_workplan
from workplans.selectors import covered_countries, dashboard_summary

from .coverage_map import render_coverage_svg
from .years import InvalidYear, selected_year, year_choices


class HomeView(TemplateView):
    """Anonymous visitors: a public, aggregate-only overview. Signed-in users go to what they work on:
    conveners and focal points to My tasks, the Secretariat and viewers to the dashboard."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("cycle:tasks" if team_roles(request.user).team_ids else "dashboard")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        summary = dashboard_summary(timezone.localdate().year)
        return {**super().get_context_data(**kwargs), "summary": summary}


def chart_series(summary: dict) -> dict:
    """The dashboard charts' data, labels translated and sorted in the reader's language. Money is
    never added across currencies: one bar chart per currency (USD first), each with its own legend."""
    areas = dict(ActionArea.objects.values_list("code", "name"))
    statuses = dict(Workplan.Status.choices)

    def money(rows, key, label) -> list[dict]:
        charts: dict[str, dict] = {}
        for row in rows:
            chart = charts.setdefault(row["currency"], {"currency": row["currency"], "rows": []})
            chart["rows"].append((label(row[key]), row))
        series = []
        for currency, chart in sorted(charts.items(), key=lambda item: (item[0] != "USD", item[0])):
            rows = sort_localized(chart["rows"], key=lambda pair: pair[0])
            series.append(
                {
                    "currency": currency,
                    "legend": {
                        "required": _("Required (%(currency)s)") % {"currency": currency},
                        "available": _("Available (%(currency)s)") % {"currency": currency},
                    },
                    "labels": [name for name, _row in rows],
                    "required": [float(row["required"]) for _name, row in rows],
                    "available": [float(row["available"]) for _name, row in rows],
                    # The chart's figures as a table (and spent, which the chart leaves out).
                    "rows": [
                        (name, float(row["required"]), float(row["available"]), float(row["spent"]))
                        for name, row in rows
                    ],
                }
            )
        return series

    return {
        # Every team expected to plan, once: by its workplan's status, or as having none.
        "workplans": {
            "labels": [str(statuses[s]) for s in summary["workplans_by_status"]] + [_("No workplan")],
            "values": [*summary["workplans_by_status"].values(), summary["teams_without_workplan"]],
        },
        "regions": money(summary["budget_by_region"], "region", _),
        "areas": money(summary["budget_by_action_area"], "action_area", lambda code: _(areas.get(code, code))),
    }


def covered_country_list(countries: list[Country]) -> list[Country]:
    """The countries with an active country team (the map's), sorted by their names in the reader's language."""
    covered = covered_countries()
    return sort_localized([c for c in countries if c.iso_numeric in covered], key=lambda c: c.localized_name())


# Rows each "needs attention" card shows; its page (unnutrition/attention.py) has them all.
ATTENTION_CARD_ROWS = 10


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard.html"

    def get(self, request, *args, **kwargs):
        try:
            self.year = selected_year(request)
        except InvalidYear as error:
            context = {"year_error": str(error), "year": timezone.localdate().year, "years": year_choices()}
            return self.response_class(request, "dashboard_invalid_year.html", context, status=400)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        year = self.year
        summary = dashboard_summary(year)
        agencies = list(Agency.objects.exclude(membership=Agency.Membership.NONE).order_by("acronym"))
        matrix: dict[str, dict[str, int]] = {}
        for row in summary["participation"]:
            matrix.setdefault(row["country"], {})[row["agency"]] = row["activities"]
        chart_data = chart_series(summary)
        countries = list(Country.objects.only("iso_numeric", "iso_alpha3", "name"))
        covered = covered_country_list(countries)
        names = {country.iso_alpha3: str(country.localized_name()) for country in countries}
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "years": year_choices(),
            "summary": summary,
            "attention": attention_lists(year, limit=ATTENTION_CARD_ROWS),
            "stale_by_team": attention_counts_by_team(attention_rows("stale", year))[:ATTENTION_CARD_ROWS],
            "agencies": agencies,
            "matrix_rows": sort_localized(
                [
                    (iso3, names.get(iso3, iso3), [counts.get(a.acronym, 0) for a in agencies])
                    for iso3, counts in matrix.items()
                ],
                key=lambda row: row[1],
            ),
            "workplan_rows": list(
                zip(chart_data["workplans"]["labels"], chart_data["workplans"]["values"], strict=True)
            ),
            "chart_data": chart_data,
            "covered": covered,
            "covered_count": len(covered),
        }


@gzip_page
@cache_control(max_age=300)
@vary_on_headers("Cookie", "Accept-Language")
def coverage_map(request):
    """The coverage map as an SVG image, country names in the reader's language; public, since it
    only shows which countries have a team. Pages link it with ?lang= so caches keep one per language."""
    names = localized_names_by_numeric()
    covered = {code: names.get(code, name) for code, name in covered_countries().items()}
    title = _("Countries with a UN Nutrition team: %(count)s") % {"count": len(covered)}
    return HttpResponse(render_coverage_svg(covered, title, names), content_type="image/svg+xml")


class CountryDetailView(LoginRequiredMixin, TemplateView):
    """A country: its UN region, SUN status, teams with their rosters, platforms and national frameworks."""

    template_name = "countries/country_detail.html"

    def get_context_data(self, **kwargs):
        country = get_object_or_404(
            Country.objects.select_related("region__parent", "sun_membership__government_focal_point"),
            iso_alpha3=self.kwargs["iso3"].upper(),
        )
        return {
            **super().get_context_data(**kwargs),
            "country": country,
            "teams": roster_queryset().filter(country=country),
            "networks": country.sun_networks.select_related("network"),
            "platforms": country.platforms.all(),
            "frameworks": country.national_frameworks.all(),
        }


# Which records have a history page, and who may read it. Person records
# carry contact details, so only the Secretariat reads their history.
HISTORY_MODELS = {
    "agencies.Agency": lambda user, obj: is_signed_in(user),
    "countries.Country": lambda user, obj: is_signed_in(user),
    "countries.Person": lambda user, obj: is_secretariat(user),
    "teams.Team": view_team.test,
    "teams.ConvenerTerm": view_team.test,
    "teams.TeamMember": view_team.test,
    "teams.FocalPoint": view_team.test,
    "teams.MembershipProposal": view_team.test,
    "workplans.Workplan": view_workplan.test,
    "workplans.Activity": lambda user, obj: view_workplan.test(user, obj.workplan),
}


class HistoryView(LoginRequiredMixin, TemplateView):
    """Who changed what and when on one record, with the values before and after."""

    template_name = "history.html"

    def get_context_data(self, **kwargs):
        label = self.kwargs["model"]
        if label not in HISTORY_MODELS:
            raise Http404
        model = apps.get_model(label)
        history = model.history.model
        records = history.objects.filter(id=self.kwargs["pk"])
        # A record with no history rows (loaded before its history was kept) still has a page that
        # says no change is recorded; only a record that never existed anywhere is a 404.
        obj = model.objects.filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            deleted = records.first()
            if deleted is None:
                raise Http404
            obj = deleted.instance
        if not HISTORY_MODELS[label](self.request.user, obj):
            raise PermissionDenied
        return {
            **super().get_context_data(**kwargs),
            "object": obj,
            "model_name": model._meta.verbose_name,
            "entries": history_entries(records),
        }


def server_error(request):
    """The 500 page in the portal's layout, with the request id to quote to support.

    A database that is not answering is not a bug: 503 and its own page (core/unavailable.py)."""
    if current_error_is_database_unavailable():
        return database_unavailable_response(request)
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"request_id": request_id_var.get()}), status=500)
