"""Bad input about results answered in the reader's language, nothing saved: on the portal for a
focal point who chose French, through the API for a client asking for Spanish. And the team page:
the year's indicators counted on track, off track and without data; evidence only for whom it is
shared with."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from results import evidence, services
from results.models import Attachment, Indicator, IndicatorValue, StandardIndicator, Target
from workplans import services as workplan_services

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def translated(language: str, message: str, **values) -> str:
    """The message as the catalogue of `language` has it; fails where it is not translated."""
    with translation.override(language):
        text = gettext(message) % values if values else gettext(message)
    assert text != (message % values if values else message), f"not translated into {language}: {message}"
    return text


def page(response) -> str:
    return html.unescape(response.content.decode())


def stunting_indicator(plan, **data):
    return services.create_indicator(
        output=plan.output,
        user=plan.secretariat,
        data={"standard": StandardIndicator.objects.get(code="sdg-2-2-1-stunting"),
              "baseline_value": Decimal("32"), "baseline_year": 2022, **data},
        targets=[{"year": YEAR, "period_kind": "annual", "value": "30"}],
    )  # fmt: skip


@pytest.fixture
def french(client, plan):
    """The plan's focal point, who chose French in their preferences, signed in."""
    plan.focal.language = "fr"
    plan.focal.save(update_fields=["language"])
    client.force_login(plan.focal)
    return client


def test_a_french_focal_point_reads_each_refusal_in_french_and_nothing_is_saved(french, plan):
    indicator = stunting_indicator(plan)
    period_page = f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/"

    # A percentage over 100.
    response = french.post(period_page, {"indicator": indicator.pk, f"i{indicator.pk}-result": "140"})
    assert response.status_code == 200
    assert translated("fr", "A percentage is between 0 and 100; %(value)s is not.", value="140") in page(response)

    # A number for a yes/no indicator: its form offers yes or no; a forged number is refused.
    platform = services.create_indicator(
        output=plan.output, user=plan.focal,
        data={"title": "Multi-stakeholder platform functioning", "unit": "yes_no", "baseline_value": 0, "baseline_year": 2024},
    )  # fmt: skip
    response = french.post(period_page, {"indicator": platform.pk, f"i{platform.pk}-result": "3"})
    assert response.status_code == 200
    assert "Oui" in page(response)  # the drop-down's choices, in French
    assert translated(
        "fr", "This indicator is answered yes or no (1 for yes, 0 for no), not %(value)s.", value="3"
    ) in page(response)
    assert not IndicatorValue.objects.exists()

    # A target without a baseline year.
    response = french.post(
        f"/results/outputs/{plan.output.pk}/indicators/new/",
        {"output": plan.output.pk, "title": "Femmes touchées", "unit": "number", "direction": "increase",
         "position": 3, f"target_{YEAR}_annual": "5000"},
    )  # fmt: skip
    assert response.status_code == 200
    assert translated(
        "fr", "Give the baseline year before setting targets: a target is measured from a baseline."
    ) in page(response)
    assert not Indicator.objects.filter(title="Femmes touchées").exists()

    # A value for a closed period.
    workplan_services.close_period(pk=plan.mid.pk, user=plan.secretariat)
    plan.mid.refresh_from_db()
    response = french.post(period_page, {"indicator": indicator.pk, f"i{indicator.pk}-result": "31"})
    assert response.status_code == 200
    with translation.override("fr"):
        period = str(plan.mid)
    assert translated(
        "fr", "The %(period)s period is closed: values can no longer be entered for it.", period=period
    ) in page(response)
    assert not IndicatorValue.objects.exists()


def test_approving_ones_own_value_is_refused_in_french(french, plan):
    plan.convener.language = "fr"
    plan.convener.save(update_fields=["language"])
    indicator = stunting_indicator(plan)
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.convener, data={"value": "31"})
    french.force_login(plan.convener)
    response = french.post(f"/results/values/{value.pk}/approve/")
    assert response.status_code == 403
    assert translated(
        "fr", "You entered this value: another convener of the team or the Secretariat approves or returns it."
    ) in page(response)
    assert IndicatorValue.objects.get().status == "submitted"


def test_files_and_downloads_refused_in_the_callers_language_through_the_api(plan, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="es")
    api.force_authenticate(plan.focal)
    lying = api.post(
        "/api/v1/attachments/",
        {"target_type": "workplan", "target_id": plan.workplan.pk, "title": "Foto",
         "file": SimpleUploadedFile("foto.png", PDF)},
        format="multipart",
    )  # fmt: skip
    assert lying.status_code == 400
    with translation.override("es"):
        expected = gettext("%(name)s is not a %(expected)s: its content is %(found)s.") % {
            "name": "foto.png", "expected": evidence.PNG.label, "found": gettext("a %(type)s") % {"type": evidence.PDF.label},
        }  # fmt: skip
    assert lying.json() == {"file": [expected]}
    translated("es", "%(name)s is not a %(expected)s: its content is %(found)s.", name="", expected="", found="")

    # A file over the limit.
    settings.EVIDENCE_MAX_BYTES = 64
    too_big = api.post(
        "/api/v1/attachments/",
        {"target_type": "workplan", "target_id": plan.workplan.pk, "file": SimpleUploadedFile("acta.pdf", PDF * 2)},
        format="multipart",
    )
    assert too_big.status_code == 400
    with translation.override("es"):
        expected = gettext("%(name)s is %(size)s: files of up to %(limit)s are accepted.") % {
            "name": "acta.pdf", "size": filesizeformat(len(PDF * 2)), "limit": filesizeformat(64),
        }  # fmt: skip
    assert too_big.json() == {"file": [expected]}
    assert not Attachment.objects.exists() and not list((tmp_path / "media").rglob("*.*"))
    settings.EVIDENCE_MAX_BYTES = 2**20

    minutes = services.add_attachment(
        user=plan.focal, target=plan.workplan, data={"title": "Acta", "kind": "minutes", "visibility": "team"},
        upload=SimpleUploadedFile("acta.pdf", PDF),
    )  # fmt: skip
    outsider = APIClient(HTTP_ACCEPT_LANGUAGE="es")
    outsider.force_authenticate(plan.other_focal)
    refused = outsider.get(f"/api/v1/attachments/{minutes.pk}/download/")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": translated(
            "es", "This evidence is shared with %(team)s and the Secretariat only.", team=plan.team.name
        )
    }


def test_the_team_page_counts_the_years_indicators_and_shows_evidence_to_whom_it_is_shared_with(client, plan):
    on_track = stunting_indicator(plan)  # on track: 29.5 against 30, decreasing
    off = stunting_indicator(plan, title="Stunting, Kandal province")  # off track: 33
    stunting_indicator(plan, title="Stunting, Kampot province")  # no approved value: no data
    for indicator, shown in ((on_track, "29.5"), (off, "33")):
        value = services.enter_value(indicator=indicator, period=plan.annual, user=plan.focal, data={"value": shown})
        services.approve_value(pk=value.pk, user=plan.convener)
    submitted_only = services.enter_value(
        indicator=Indicator.objects.get(title="Stunting, Kampot province"), period=plan.mid, user=plan.focal,
        data={"value": "20"},
    )  # fmt: skip
    assert submitted_only.status == "submitted"  # not approved: does not count
    services.add_attachment(
        user=plan.focal, target=plan.team, data={"title": "Terms of reference 2026", "kind": "terms_of_reference", "visibility": "team",
                                                 "url": "https://example.org/tor"},
    )  # fmt: skip
    services.add_attachment(
        user=plan.focal, target=plan.team, data={"title": "Annual report 2025", "kind": "report", "visibility": "un",
                                                 "url": "https://example.org/report"},
    )  # fmt: skip

    client.force_login(plan.focal)
    body = page(client.get(f"/teams/{plan.team.pk}/"))
    section = body[body.index('id="team-results"') :]
    assert f"3 indicators in the {YEAR} workplan:" in section
    assert "On track: 1" in section and "Off track: 1" in section and "No data: 1" in section
    assert "Terms of reference 2026" in section and "Annual report 2025" in section

    client.force_login(plan.other_focal)  # another team's focal point: the UN-wide report, not the team's terms
    section = page(client.get(f"/teams/{plan.team.pk}/"))
    section = section[section.index('id="team-results"') :]
    assert "On track: 1" in section
    assert "Annual report 2025" in section and "Terms of reference 2026" not in section
    assert Target.objects.count() == 3
