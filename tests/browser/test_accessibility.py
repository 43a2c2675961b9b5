"""Every main page in the six UN languages, checked by axe-core under the portal's CSP, and the
same pages on a 375 px phone: no serious or critical violation, no horizontal page scroll.

axe-core comes from npm (package.json, pinned) and is injected by Playwright as an init script
(a DevTools injection, not a page script), so the strict Content-Security-Policy stays on and any
violation of it still fails the test (the `sign_in` fixture collects them).
"""

import datetime as dt
import json

import pytest
from django.conf import settings

from teams.models import Team
from workplans.models import SdgTarget

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)

AXE = settings.NODE_MODULES / "axe-core" / "axe.min.js"
LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def pages(portal):
    """The pages a reader goes through, with enough on them to be worth checking."""
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    workplan = make_workplan(cambodia, 2026)
    activity = make_activity(
        workplan,
        title="Costing of the child wasting roadmap (phase 2)",
        budget_required=214581000,
        budget_available=1250000,
        start_date=dt.date(2026, 1, 3),
        end_date=dt.date(2026, 11, 30),
    )
    activity.sdg_targets.set(SdgTarget.objects.filter(code__in=["2.1", "2.2"]))
    make_activity(workplan, title="Joint advocacy brief", currency="EUR", budget_required=90000)
    make_user("focal_point", cambodia, agency="WFP")  # a team page with contacts
    return {
        "dashboard": "/dashboard/?year=2026",
        "countries": "/countries/",
        "team": f"/teams/{cambodia.pk}/",
        "workplan": f"/workplans/{workplan.pk}/",
        "activity form": f"/workplans/activities/{activity.pk}/edit/",
        "reports": "/reports/",
        "history": f"/history/workplans.Activity/{activity.pk}/",
        "404": "/no-such-page/",
    }


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1])
            }));
        }"""
    )
    return results


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_pass_axe_and_fit_a_phone(sign_in, portal, pages, language):
    page = sign_in(make_user("secretariat"))
    page.context.add_init_script(path=str(AXE))
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": portal}])
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    found, too_wide = {}, {}
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            response = page.goto(portal + path)
            assert response.status == (404 if name == "404" else 200), (name, response.status)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            if viewport is DESKTOP:
                if violations := axe_violations(page):
                    found[name] = violations
            else:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    too_wide[name] = width
    report = {"axe (serious, critical)": found, "wider than a 375 px phone": too_wide, "JavaScript errors": errors}
    assert not (found or too_wide or errors), f"In {language}:\n" + json.dumps(report, ensure_ascii=False, indent=1)
