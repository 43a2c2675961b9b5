"""Content in the reader's language: names translated or visibly not, lists in the reader's
collation, figures grouped, filters' drop-downs translated, the SDG picker in the language."""

import re

import pytest
from django.utils import translation

from agencies.models import Agency
from core.i18n import collation_key, sort_localized, translations_form
from teams.models import Team

from ..factories import make_activity, make_team, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client):
    client.force_login(make_user("viewer"))
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_team_name_shows_its_translation_or_the_original_marked_with_its_language(viewer):
    togo = make_team("TGO", name="UN Nutrition Togo", name_translations={"fr": "ONU-Nutrition Togo"})
    viewer.cookies["django_language"] = "fr"
    body = viewer.get(f"/teams/{togo.pk}/").content.decode()
    assert '<h1><bdi dir="auto">ONU-Nutrition Togo</bdi></h1>' in body
    viewer.cookies["django_language"] = "ar"
    body = viewer.get(f"/teams/{togo.pk}/").content.decode()
    # No Arabic name entered: the English original, isolated and marked as English (in Arabic).
    with translation.override("ar"):
        english = str(translation.get_language_info("en")["name_translated"])
    assert re.search("[\u0600-\u06ff]", english)
    assert f'<bdi lang="en" dir="auto">UN Nutrition Togo</bdi> <span class="lang-mark">({english})</span>' in body


def test_translations_are_entered_one_box_per_language_and_empty_ones_left_out(chad):
    form_class = translations_form("name_translations", "Name", max_length=200)
    form_class = type("TeamNames", (form_class,), {"Meta": type("Meta", (), {"model": Team, "fields": ["name"]})})
    form = form_class(
        {"name": chad.name, "name_translations__fr": " ONU-Nutrition  Tchad ", "name_translations__ar": ""},
        instance=chad,
    )
    assert "name_translations__zh-hans" in form.fields
    assert form.is_valid(), form.errors
    form.save()
    chad.refresh_from_db()
    assert chad.name_translations == {"fr": "ONU-Nutrition Tchad"}
    assert str(chad.localized_name("fr")) == "ONU-Nutrition Tchad"
    assert chad.localized_name("ru").fallback is True


def test_the_countries_list_is_sorted_by_the_readers_collation(viewer):
    viewer.cookies["django_language"] = "zh-hans"
    response = viewer.get("/countries/", {"show": "all"})
    rows = response.context["table"].page.object_list
    names = [str(row.record.localized_name("zh-hans")) for row in rows]
    assert names == sorted(names, key=lambda name: collation_key(name, "zh-hans"))
    # Pinyin order (a, ba, ...), not code points: 阿富汗 (Afghanistan) leads, 中国 does not.
    assert names[0].startswith("阿")
    assert names != sorted(names)


def test_collation_is_the_languages_own():
    assert sort_localized(["Zambie", "Égypte", "Erythrée"], language="fr") == ["Égypte", "Erythrée", "Zambie"]
    assert sort_localized(["中国", "巴西", "阿富汗"], language="zh-hans") == ["阿富汗", "巴西", "中国"]
    assert sort_localized(["مصر", "الأردن", "بنين"], language="ar") == ["الأردن", "بنين", "مصر"]


def test_filter_drop_downs_name_regions_in_the_readers_language_and_order(viewer):
    viewer.cookies["django_language"] = "fr"
    body = viewer.get("/countries/").content.decode()
    select = re.search(r'<select name="region".*?</select>', body, re.S).group(0)
    options = re.findall(r'<option value="([a-z-]+)"[^>]*>([^<]+)</option>', select)
    labels = dict(options)
    assert labels["africa"] == "Afrique"
    assert [label for _, label in options] == sorted(
        (label for _, label in options), key=lambda label: collation_key(label, "fr")
    )
    viewer.cookies["django_language"] = "ar"
    body = viewer.get("/teams/").content.decode()
    assert re.search(r'<option value="WFP"[^>]*>WFP – برنامج الأغذية العالمي</option>', body)


@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_figures_are_grouped_by_thousands_in_arabic_and_chinese(viewer, cambodia, language):
    make_activity(make_workplan(cambodia, 2026), budget_required=214581000)
    viewer.cookies["django_language"] = language
    body = viewer.get("/dashboard/?year=2026").content.decode()
    shown = re.sub(r'<script id="dashboard-data".*?</script>', "", body, flags=re.S)  # the charts' JSON
    assert "214,581,000" in shown
    assert "214581000" not in shown


def test_money_in_two_currencies_gets_a_chart_each_and_none_is_dropped(viewer, cambodia):
    workplan = make_workplan(cambodia, 2026)
    make_activity(workplan, budget_required=1000)
    make_activity(workplan, currency="EUR", budget_required=900)
    response = viewer.get("/dashboard/?year=2026")
    charts = response.context["chart_data"]["regions"]
    assert [chart["currency"] for chart in charts] == ["USD", "EUR"]
    assert [chart["required"] for chart in charts] == [[1000.0], [900.0]]
    body = response.content.decode()
    assert 'id="chart-regions-1"' in body and "EUR 900" in body
    assert "Amounts in different currencies are not added up" in body


def test_the_map_names_countries_in_the_readers_language_and_lists_them(viewer, cambodia):
    viewer.cookies["django_language"] = "fr"
    svg = viewer.get("/coverage-map.svg").content.decode()
    assert "<title>Cambodge</title>" in svg and "<title>Brésil</title>" in svg
    page = text(viewer.get("/dashboard/"))
    assert "Cambodge" in page


def test_small_states_with_a_team_are_drawn_as_a_dot(viewer):
    make_team("TUV")  # Tuvalu: not in the 1:110m shapes at all
    make_team("SGP")  # Singapore: a shape a pixel wide
    svg = viewer.get("/coverage-map.svg").content.decode()
    assert re.search(r"<circle [^>]*><title>Tuvalu</title></circle>", svg)
    assert re.search(r"<circle [^>]*><title>Singapore</title></circle>", svg)


def test_the_sdg_picker_offers_the_official_texts_in_the_readers_language(client, cambodia):
    activity = make_activity(make_workplan(cambodia, 2026))
    client.force_login(make_user("focal_point", cambodia))
    client.cookies["django_language"] = "zh-hans"
    body = client.get(f"/workplans/activities/{activity.pk}/edit/").content.decode()
    assert "2.2 到2030年,消除一切形式的营养不良" in body
    assert "消除饥饿,实现粮食安全,改善营养状况和促进可持续农业" in body  # the goal's official title, in its group label


def test_agency_names_are_official_in_each_language():
    wfp = Agency.objects.get(acronym="WFP")
    assert str(wfp.localized_name("es")) == "Programa Mundial de Alimentos"
    assert str(wfp.localized_name("zh-hans")) == "世界粮食计划署"


def test_cambodia_is_named_as_the_un_brief_names_it_in_chinese():
    """pycountry's Chinese catalogue misspells it (柬埔塞); the brief and UN usage say 柬埔寨."""
    from core.i18n import iso_country_name

    assert iso_country_name("KHM", "Cambodia", "zh-hans") == "柬埔寨"
    assert iso_country_name("TCD", "Chad", "zh-hans") == "乍得"
