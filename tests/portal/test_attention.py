"""The dashboard's year and its "needs attention" lists: a year that is not one is refused,
the doughnut counts every team, and each list has counts per team, filters, pages and an export."""

import csv
import io

import pytest

from unnutrition import attention
from workplans.models import Workplan

from ..factories import make_activity, make_team, make_user, make_workplan

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def officer(client):
    client.force_login(make_user("secretariat"))
    return client


@pytest.fixture
def stale(cambodia, chad):
    """Three activities of Cambodia and one of Chad under way, never updated since February."""
    khm = make_workplan(cambodia, YEAR)
    tcd = make_workplan(chad, YEAR)
    rows = [
        make_activity(khm, title="Wasting roadmap costing", status="implementation"),
        make_activity(khm, title="=HYPERLINK(1)", status="implementation"),
        make_activity(khm, title="Food systems dialogue", status="finalisation"),
        make_activity(tcd, title="Nutrition survey in Chad", status="implementation"),
    ]
    make_activity(khm, title="Recently closed", status="closed")
    return rows


@pytest.mark.parametrize("value", ["abc", "1999", "20261", "-1", "2026.0"])
def test_a_year_that_is_not_one_is_refused_with_a_message(officer, value):
    for url in ("/dashboard/", "/dashboard/attention/stale/"):
        response = officer.get(url, {"year": value})
        assert response.status_code == 400
        assert f"“{value}” is not a valid year: choose a year from 2000 to 2100." in response.content.decode()


def test_an_empty_year_means_this_year(officer):
    response = officer.get("/dashboard/?year=")
    assert response.status_code == 200


def test_the_workplan_doughnut_counts_the_teams_without_a_workplan(officer, cambodia, chad):
    make_workplan(cambodia, YEAR, status="submitted")
    make_team("NER")
    response = officer.get(f"/dashboard/?year={YEAR}")
    chart = response.context["chart_data"]["workplans"]
    summary = response.context["summary"]
    assert chart["labels"][-1] == "No workplan"
    assert chart["values"][-1] == summary["teams_without_workplan"] >= 2  # Chad and Niger at least
    assert sum(chart["values"]) == summary["teams"]


def test_the_dashboard_cards_link_to_the_whole_list_with_counts_per_team(officer, stale, cambodia):
    body = officer.get(f"/dashboard/?year={YEAR}").content.decode()
    assert "See all 4 activities, by team, with filters and export" in body
    assert f"/dashboard/attention/stale/?year={YEAR}&amp;team={cambodia.pk}" in body
    assert officer.get(f"/dashboard/?year={YEAR}").context["stale_by_team"][0] == {
        "team": cambodia.pk,
        "name": cambodia.name,
        "count": 3,
    }


def test_the_stale_list_counts_per_team_and_filters(officer, stale, cambodia, chad, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = officer.get(f"/dashboard/attention/stale/?year={YEAR}")
    assert response.status_code == 200
    assert response.context["count"] == 4
    assert [(row["name"], row["count"]) for row in response.context["counts"]] == [(cambodia.name, 3), (chad.name, 1)]
    assert "Recently closed" not in response.content.decode()

    def titles(**query):
        page = officer.get("/dashboard/attention/stale/", {"year": YEAR, **query}).context["page"]
        return sorted(row["title"] for row in page)

    assert titles(team=chad.pk) == ["Nutrition survey in Chad"]
    assert titles(status="finalisation") == ["Food systems dialogue"]
    assert titles(q="survey") == ["Nutrition survey in Chad"]
    assert titles(region="africa") == ["Nutrition survey in Chad"]
    assert titles(agency="UNICEF") == []
    assert len(titles(agency="WFP")) == 4


def test_an_unknown_filter_value_is_refused_and_lists_nothing(officer, stale):
    response = officer.get("/dashboard/attention/stale/", {"year": YEAR, "region": "atlantis"})
    assert response.status_code == 400
    assert response.context["form"].errors["region"] == ["Unknown region: choose one from the list."]
    assert "Nothing is listed until the filters above are corrected." in response.content.decode()
    team = officer.get("/dashboard/attention/stale/", {"year": YEAR, "team": "abc"})
    assert team.status_code == 400
    assert team.context["form"].errors["team"] == ["Unknown team: choose an active country team or regional group."]
    assert "page" not in response.context


def test_the_lists_are_paged(officer, stale, monkeypatch):
    monkeypatch.setattr(attention, "PAGE_SIZE", 3)
    first = officer.get("/dashboard/attention/stale/", {"year": YEAR})
    second = officer.get("/dashboard/attention/stale/", {"year": YEAR, "page": 2})
    assert len(first.context["page"]) == 3 and len(second.context["page"]) == 1
    assert "Page 1 of 2" in first.content.decode()
    assert {r["pk"] for r in first.context["page"]}.isdisjoint({r["pk"] for r in second.context["page"]})


def test_the_export_holds_every_matching_row_as_inert_text(officer, stale, cambodia):
    response = officer.get("/dashboard/attention/stale/", {"year": YEAR, "team": cambodia.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"needs-attention-stale-{YEAR}.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Activity", "Team", "Country"]
    assert sorted(row[0] for row in rows[1:]) == ["'=HYPERLINK(1)", "Food systems dialogue", "Wasting roadmap costing"]


def test_team_lists_count_per_region_and_filter_by_workplan(officer, cambodia, chad, settings):
    settings.REPORTS_WORKPLAN_DUE = "01-31"
    make_workplan(cambodia, YEAR)  # a draft past the due date
    response = officer.get("/dashboard/attention/not-submitted/", {"year": YEAR})
    names = {row["name"]: row["workplan_status"] for row in response.context["page"]}
    assert names[cambodia.name] == Workplan.Status.DRAFT and names[chad.name] is None
    regions = {row["region"]: row["count"] for row in response.context["counts"]}
    assert regions["Asia"] >= 1 and regions["Africa"] >= 1
    only_none = officer.get("/dashboard/attention/not-submitted/", {"year": YEAR, "status": "none"})
    assert cambodia.name not in [row["name"] for row in only_none.context["page"]]
    no_convener = officer.get("/dashboard/attention/no-convener/", {"year": YEAR, "q": "chad"})
    assert [row["name"] for row in no_convener.context["page"]] == [chad.name]


def test_an_unknown_list_is_not_found(officer):
    assert officer.get("/dashboard/attention/everything/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/dashboard/attention/stale/").url.startswith("/accounts/login/")
