"""The API and the portal refuse the same change to a submitted workplan the same way, in the same words.

Every write goes through workplans/services.py, which refuses a change the workplan's
state forbids with a translated message. Here one focal point of the team tries each
change through both doors, over the same submitted workplan, in English and in
French: the API chooses the language by Accept-Language, the portal by the language
the user picked (POST /i18n/setlang/, a cookie; the portal's URLs have no language
prefix). Both must refuse, change nothing and say the same thing, in that language.

The French text must also differ from the English one once the values filled into it
(the status, the field names, themselves translated) are taken out: a message missing
from locale/fr, or a catalogue not compiled (`make install` runs msgfmt), fails here.
"""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from agencies.models import Agency
from workplans.models import ActionArea, Activity

from .factories import form_data, make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr"]
# A refusal because of the workplan's state: 403, or 409 Conflict since the API tells a
# state refusal (409) from a role refusal (403). The portal shows its 403 page either way.
API_REFUSALS = {403, 409}

NEW_ACTIVITY = {
    "title": "Joint survey on anaemia",
    "action_area": "evidence",
    "lead_agency": "UNICEF",
    "start_date": "2026-03-01",
    "end_date": "2026-09-30",
    "currency": "USD",
    "budget_required": "120000.00",
    "budget_available": "0.00",
    "budget_spent": "0.00",
    "status": "pipeline",
}


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia)


@pytest.fixture
def submitted(cambodia):
    """The team's 2026 workplan, submitted, with one activity."""
    workplan = make_workplan(cambodia, 2026, status="submitted")
    make_activity(workplan, title="Wasting roadmap costing", budget_required=1000)
    return workplan


def api_client(user, language: str) -> APIClient:
    client = APIClient(headers={"Accept-Language": language})
    client.force_authenticate(user)
    return client


def portal_client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/i18n/setlang/", {"language": language, "next": "/"}).status_code == 302
    return client


def api_refusal(response, language: str) -> str:
    assert response.status_code in API_REFUSALS, f"the API answered {response.status_code}: {response.content!r}"
    assert response["Content-Language"] == language
    return response.json()["detail"]


def portal_outcome(response) -> str:
    """What the portal told the user: the reason on its 403 page, the form's own error when it kept
    what was typed (409), else what the page or redirect said."""
    body = response.content.decode()
    if response.status_code == 403:
        reason = re.search(r'<div class="narrow">\s*<h1>.*?</h1>\s*<p>(.*?)</p>', body, re.DOTALL)
        return html.unescape(reason.group(1)).strip() if reason else body
    form = (response.context or {}).get("form") if response.status_code in (200, 409) else None
    if response.status_code == 409 and form is not None:
        return " / ".join(str(error) for error in form.non_field_errors())
    said = [str(message) for message in get_messages(response.wsgi_request)]
    if form is not None:
        said += [str(error) for errors in form.errors.values() for error in errors]
    return f"{response.status_code} {response.get('Location', '')}: {' / '.join(said) or '(nothing)'}"


def portal_refusal(response, language: str) -> str:
    said = portal_outcome(response)
    assert response.status_code in (403, 409), f"the portal did not refuse, it answered {said}"
    assert response["Content-Language"] == language
    return said


def without(message: str, values: list[str]) -> str:
    """The message with the values filled into it taken out: what its translation must change."""
    for value in values:
        message = message.replace(value, "…")
    return message


def filled_in(workplan, *field_names: str) -> dict[str, list[str]]:
    """Per language, the values a message about `workplan` fills in: its status and the fields' names."""
    values = {}
    for language in LANGUAGES:
        with translation.override(language):
            values[language] = [workplan.get_status_display().lower()] + [
                str(Activity._meta.get_field(name).verbose_name) for name in field_names
            ]
    return values


def assert_translated(messages: dict[str, str], values: dict[str, list[str]]):
    english, french = (without(messages[language], values[language]) for language in ("en", "fr"))
    assert french != english, (
        f"the French message is the English one ({messages['fr']!r}): locale/fr lacks its translation, "
        "or the catalogue is not compiled"
    )


def test_editing_a_planning_field_of_a_submitted_workplan(submitted, focal):
    """PATCH /api/v1/activities/{id}/ and the portal's edit form, changing the title.

    The portal's form was loaded (or is posted) with the title field open, as it is when
    the form was opened while the plan was still a draft: the change must be refused
    with the service's message, not dropped while the portal says "saved".
    """
    activity = submitted.activities.get()
    messages = {}
    for language in LANGUAGES:
        api = api_client(focal, language)
        # As a client of the API does: read, then write with If-Match.
        etag = api.get(f"/api/v1/activities/{activity.pk}/").get("ETag")
        conditional = {"HTTP_IF_MATCH": etag} if etag else {}
        from_api = api_refusal(
            api.patch(f"/api/v1/activities/{activity.pk}/", {"title": "Costed roadmap"}, format="json", **conditional),
            language,
        )
        portal = portal_client(focal, language)
        from_portal = portal_refusal(
            portal.post(f"/workplans/activities/{activity.pk}/edit/", form_data(activity, title="Costed roadmap")),
            language,
        )
        assert from_portal == from_api, f"in {language}, the portal and the API say different things"
        activity.refresh_from_db()
        assert activity.title == "Wasting roadmap costing"
        messages[language] = from_api
    assert_translated(messages, filled_in(submitted, "title"))


def test_adding_an_activity_to_a_submitted_workplan(submitted, focal):
    """POST /api/v1/activities/ and the portal's add form.

    Both refuse (the API with 409, the portal with its 403 page, before it shows or
    reads the form), neither adds anything, and both say the service's words
    (services.check_add_activity) in the language asked for.
    """
    api_messages, portal_messages = {}, {}
    for language in LANGUAGES:
        api_messages[language] = api_refusal(
            api_client(focal, language).post(
                "/api/v1/activities/", {**NEW_ACTIVITY, "workplan": submitted.pk}, format="json"
            ),
            language,
        )
        portal = portal_client(focal, language)
        form = {
            **NEW_ACTIVITY,
            "action_area": ActionArea.objects.get(code=NEW_ACTIVITY["action_area"]).pk,
            "lead_agency": Agency.objects.get(acronym=NEW_ACTIVITY["lead_agency"]).pk,
            "is_national": "on",
        }
        portal_messages[language] = portal_refusal(
            portal.post(f"/workplans/{submitted.pk}/activities/new/", form), language
        )
        assert portal_messages[language] == api_messages[language]
        assert submitted.activities.count() == 1
    assert_translated(api_messages, filled_in(submitted))
    assert_translated(portal_messages, filled_in(submitted))
