"""load_reference_data: the mechanism's real facts, loaded once, and a second run changes nothing."""

import datetime as dt

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from agencies.models import Agency, ChairTerm, SteeringCommitteeSeat
from countries.models import Country, Region, Subdivision, SunMembership, SunRegionalHub
from teams.models import ConvenerTerm, Team
from unnutrition.reference_data.services import load_reference_data
from unnutrition.reference_data.sun import SUN_COUNTRIES
from workplans.models import ActionArea, ResourceMobilised, SdgTarget

from .factories import make_user

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_second_run_adds_no_rows_and_no_history():
    # The session fixture already ran the loader once.
    before = row_counts()
    assert load_reference_data() == {}
    assert row_counts() == before
    assert before["agencies.HistoricalAgency"] == 17  # one "created" entry per agency, none added since


def test_a_changed_fact_is_restored_and_recorded_in_history():
    wfp = Agency.objects.get(acronym="WFP")
    wfp.name = "Typo"
    wfp.save()
    assert load_reference_data() == {"agencies.Agency updated": 1}
    wfp.refresh_from_db()
    assert wfp.name == "World Food Programme"
    assert [h.name for h in wfp.history.all()[:2]] == ["World Food Programme", "Typo"]


def test_the_sixteen_member_agencies_and_their_membership():
    members = Agency.objects.exclude(membership="none")
    assert members.count() == 16
    assert set(members.filter(membership="founding").values_list("acronym", flat=True)) == {
        "FAO", "IFAD", "UNICEF", "WFP", "WHO"
    }  # fmt: skip
    cgiar = Agency.objects.get(acronym="CGIAR")
    assert cgiar.membership == "associate"
    assert cgiar.membership_through == "Alliance of Bioversity International and CIAT"
    assert Agency.objects.get(hosts_secretariat=True).acronym == "FAO"
    paho = Agency.objects.get(acronym="PAHO")
    assert paho.parent.acronym == "WHO" and paho.membership == "none"


def test_steering_committee_and_first_chair():
    seats = {(s.agency.acronym, s.seat_type, s.end_date, s.stated_on) for s in SteeringCommitteeSeat.objects.all()}
    # The brief gives the rotating members "as of December 2022": open seats with the date stated, no end.
    assert seats == {
        ("FAO", "founding", None, None), ("IFAD", "founding", None, None), ("UNICEF", "founding", None, None),
        ("WFP", "founding", None, None), ("WHO", "founding", None, None),
        ("IAEA", "rotating", None, dt.date(2022, 12, 1)), ("UNEP", "rotating", None, dt.date(2022, 12, 1)),
    }  # fmt: skip
    assert all(seat.is_current for seat in SteeringCommitteeSeat.objects.all())
    chair = ChairTerm.objects.get()
    assert (chair.person.name, chair.agency.acronym) == ("Naoko Yamamoto", "WHO")
    assert (chair.start_date.year, chair.end_date.year) == (2021, 2022)


def test_the_api_shows_the_rotating_members_as_current():
    api = APIClient()
    api.force_authenticate(make_user("viewer"))
    for acronym in ("IAEA", "UNEP"):
        seats = api.get(f"/api/v1/agencies/{acronym}/").json()["steering_committee"]
        assert seats == [
            {"seat": "rotating", "start_date": None, "end_date": None, "stated_on": "2022-12-01", "current": True}
        ]


def test_a_seat_recorded_with_the_old_end_date_is_corrected_once():
    seat = SteeringCommitteeSeat.objects.get(agency__acronym="IAEA")
    seat.end_date, seat.stated_on = dt.date(2022, 12, 31), None
    seat.save()
    assert load_reference_data() == {"agencies.SteeringCommitteeSeat updated": 1}
    seat.refresh_from_db()
    assert (seat.end_date, seat.stated_on) == (None, dt.date(2022, 12, 1))
    assert load_reference_data() == {}


def test_agencies_are_classed_as_the_un_system_chart_does():
    kinds = dict(Agency.objects.values_list("acronym", "kind"))
    assert kinds["UNHCR"] == "other_entity"  # among the chart's "other entities", not a fund or programme
    assert {a for a, k in kinds.items() if k == "fund_programme"} == {"UNDP", "UNEP", "UN-Habitat", "UNICEF", "WFP"}
    assert (kinds["IAEA"], kinds["OCHA"], kinds["IFAD"]) == ("related_organization", "secretariat_office",
                                                             "specialized_agency")  # fmt: skip


def test_every_iso_country_with_its_un_region():
    assert Country.objects.count() == 249
    assert Country.objects.filter(region__isnull=True).count() == 0
    cambodia = Country.objects.get(iso_alpha3="KHM")
    assert (cambodia.iso_alpha2, cambodia.iso_numeric, cambodia.region.name) == ("KH", "116", "South-eastern Asia")
    assert cambodia.region.parent.name == "Asia"
    lac = Region.objects.get(name="Latin America and the Caribbean")
    assert lac.parent.name == "Americas"
    assert Country.objects.get(iso_alpha3="HTI").region.parent == lac
    assert Subdivision.objects.filter(country=cambodia).count() >= 25


def test_regions_carry_their_un_m49_codes():
    codes = dict(Region.objects.values_list("name", "m49_code"))
    assert (codes["Africa"], codes["Americas"], codes["Asia"], codes["Europe"], codes["Oceania"]) == (
        "002", "019", "142", "150", "009",
    )  # fmt: skip
    assert (codes["Sub-Saharan Africa"], codes["Latin America and the Caribbean"], codes["Eastern Africa"]) == (
        "202", "419", "014",
    )  # fmt: skip
    # Antarctica is an area in M49, not a region; every other region has its code.
    assert [name for name, code in codes.items() if code is None] == ["Antarctica"]
    # M49's grouping: Sub-Saharan Africa holds all of Africa but its north.
    sub_saharan = Region.objects.get(m49_code="202")
    assert (sub_saharan.level, sub_saharan.parent.name) == (2, "Africa")
    assert set(sub_saharan.children.values_list("name", flat=True)) == {
        "Eastern Africa", "Middle Africa", "Southern Africa", "Western Africa",
    }  # fmt: skip
    assert Country.objects.get(iso_alpha3="KEN").region.parent == sub_saharan
    assert Country.objects.get(iso_alpha3="EGY").region.parent.name == "Africa"


def test_sun_networks_hubs_and_cambodia_focal_point():
    assert set(SunRegionalHub.objects.values_list("city", flat=True)) == {"Bangkok", "Dakar", "Nairobi", "Panama City"}
    # The SUN Movement's 66 member countries, each with the regional hub serving it.
    members = SunMembership.objects.select_related("country", "hub")
    assert len(SUN_COUNTRIES) == 66
    assert sorted(m.country.iso_alpha3 for m in members) == SUN_COUNTRIES
    served = {
        hub.city: set(hub.memberships.values_list("country__iso_alpha3", flat=True))
        for hub in SunRegionalHub.objects.all()
    }
    assert {city: len(codes) for city, codes in served.items()} == {
        "Bangkok": 11,
        "Dakar": 19,
        "Nairobi": 16,
        "Panama City": 7,
    }
    assert {"KHM", "BGD", "TLS"} <= served["Bangkok"] and {"SEN", "TCD", "MOZ"} <= served["Dakar"]
    assert {"KEN", "NGA", "ZWE"} <= served["Nairobi"] and {"GTM", "PER", "PAN"} <= served["Panama City"]
    # The Convergence Hub's countries (fragile, or outside the hubs' regions) have no regional hub.
    assert set(members.filter(hub__isnull=True).values_list("country__iso_alpha3", flat=True)) == {
        "AFG", "BDI", "CAF", "COG", "COD", "HTI", "SOM", "SSD", "SDN", "YEM", "KGZ", "TJK", "PNG",
    }  # fmt: skip
    assert not SunMembership.objects.filter(country__iso_alpha3__in=["NOR", "JPN", "MLT", "BMU", "HMD"]).exists()
    membership = SunMembership.objects.get(country__iso_alpha3="KHM")
    assert membership.government_focal_point.name == "Sok Silo"
    assert "Council for Agricultural and Rural Development" in membership.government_focal_point.title
    assert set(membership.country.sun_networks.values_list("local_name", flat=True)) >= {"Civil Society Alliance"}


def test_cambodia_team():
    team = Team.objects.get(country__iso_alpha3="KHM", kind="country")
    assert set(team.members.values_list("agency__acronym", flat=True)) == {"FAO", "UNICEF", "WFP", "WHO"}
    assert team.current_convener().agency.acronym == "WFP"
    platform = team.platforms.get()
    assert platform.name == "Technical Working Group for Food Security and Nutrition" and platform.is_sun_platform
    assert set(team.national_frameworks.values_list("name", flat=True)) == {
        "Second National Strategy for Food Security and Nutrition",
        "Cambodia Roadmap for Food Systems for Sustainable Development 2030",
    }
    resource = ResourceMobilised.objects.get(team=team)
    assert (resource.amount, resource.currency) == (3_500_000, "USD")
    assert team.terms_of_reference.exists()


def test_latin_america_group():
    team = Team.objects.get(kind="regional")
    assert team.region.name == "Latin America and the Caribbean"
    assert team.meeting_frequency == "monthly"
    assert set(team.members.values_list("agency__acronym", flat=True)) == {"FAO", "PAHO", "UNICEF", "WFP"}
    assert ConvenerTerm.objects.get(team=team).agency.acronym == "UNICEF"
    # Its four joint action areas; the emergency coordination it does besides them is its cluster links.
    assert set(team.action_areas.values_list("code", flat=True)) == {"evidence", "advocacy", "knowledge", "capacity"}
    assert ActionArea.objects.filter(code="emergency").exists()  # still a category of activity
    assert set(team.clusters.values_list("name", flat=True)) == {
        "Food Security", "Health", "Water, Sanitation and Hygiene (WASH)"
    }  # fmt: skip


def test_official_sdg_targets():
    assert SdgTarget.objects.count() == 169
    assert SdgTarget.objects.get(code="2.2").goal.number == 2
    assert "malnutrition" in SdgTarget.objects.get(code="2.2").text
    assert list(SdgTarget.objects.filter(goal__number=17).values_list("code", flat=True))[-1] == "17.19"


def test_sdg_goals_and_targets_in_the_un_languages():
    """The official UN texts (open-sdg/sdg-translations' files, stored in the project) for each
    language that has a data file, every target and goal covered."""
    from unnutrition.reference_data.services import DATA

    languages = sorted(p.name.removesuffix(".yml") for p in (DATA / "sdg_translations").iterdir())
    assert "zh-hans" in languages
    for target in SdgTarget.objects.select_related("goal"):
        assert set(target.text_translations) == set(languages), target.code
        assert set(target.goal.title_translations) == set(languages)
    nutrition = SdgTarget.objects.get(code="2.2")
    assert nutrition.localized_text("zh-hans").startswith("到2030年,消除一切形式的营养不良")
    assert nutrition.localized_text("en") == nutrition.text
    assert nutrition.goal.localized_title("zh-hans") == "消除饥饿,实现粮食安全,改善营养状况和促进可持续农业"


def test_agency_names_in_the_six_languages():
    names = Agency.objects.get(acronym="WFP").name_translations
    assert names == {
        "ar": "برنامج الأغذية العالمي",
        "es": "Programa Mundial de Alimentos",
        "fr": "Programme alimentaire mondial",
        "ru": "Всемирная продовольственная программа",
        "zh-hans": "世界粮食计划署",
    }
    for agency in Agency.objects.exclude(acronym="CGIAR"):
        assert set(agency.name_translations) == {"ar", "es", "fr", "ru", "zh-hans"}, agency.acronym
    # CGIAR has no UN name in these languages: the English one is shown, marked as English.
    cgiar = Agency.objects.get(acronym="CGIAR").localized_name("fr")
    assert (str(cgiar), cgiar.fallback, cgiar.language) == ("CGIAR System Organization", True, "en")


def test_a_second_run_keeps_the_translations_and_changes_nothing():
    before = row_counts()
    target = SdgTarget.objects.get(code="2.2")
    target.text_translations = {**target.text_translations, "zh-hans": "typo"}
    target.save()
    assert load_reference_data() == {"workplans.SdgTarget updated": 1}
    assert load_reference_data() == {}
    assert row_counts() == before


def test_cambodia_provincial_working_groups():
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    provinces = Team.objects.get(kind="subnational", parent=cambodia)
    assert provinces.country == cambodia.country
    assert set(provinces.members.values_list("agency__acronym", flat=True)) == {"FAO", "UNICEF", "WFP", "WHO"}
    assert not provinces.convener_terms.exists()  # run by the country team's people
    assert provinces.subdivisions.count() == 0  # the brief names no province: the team records them


def test_a_second_run_leaves_what_the_teams_recorded():
    """Every `make run` loads the reference data again: the teams' own changes must survive it."""
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    wfp = ConvenerTerm.objects.get(team=cambodia, role="convener")
    wfp.end_date = dt.date(2025, 6, 30)
    wfp.save()
    ConvenerTerm.objects.create(
        team=cambodia, role="convener", agency=Agency.objects.get(acronym="UNICEF"), start_date=dt.date(2025, 7, 1)
    )
    cambodia.notes = "Meets every second Tuesday."
    cambodia.save()
    provinces = Team.objects.get(kind="subnational", parent=cambodia)
    provinces.subdivisions.add(Subdivision.objects.get(code="KH-23"))
    lac = Team.objects.get(kind="regional")
    lac.clusters.clear()
    membership = SunMembership.objects.get(country__iso_alpha3="KHM")
    membership.joined_on = dt.date(2014, 6, 1)
    membership.save()

    assert load_reference_data() == {}
    assert cambodia.current_convener().agency.acronym == "UNICEF"
    assert Team.objects.get(pk=cambodia.pk).notes == "Meets every second Tuesday."
    assert list(provinces.subdivisions.values_list("code", flat=True)) == ["KH-23"]
    assert not lac.clusters.exists()
    assert SunMembership.objects.get(country__iso_alpha3="KHM").joined_on == dt.date(2014, 6, 1)
