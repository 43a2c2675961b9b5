"""A team keeps its own roster, in a real browser, with e-mail through a real SMTP server:
the Secretariat invites a convener, who accepts and invites a focal point, who accepts,
adds a colleague and hands over; the convener hands over too. A focal point of another
team is refused at each step."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access.models import Invitation
from agencies.models import Agency
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember

from ..factories import make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)

JOIN = re.compile(r"(https?://\S+/access/join/[\w-]+/)")


def link_in(mail, address: str, count: int) -> str:
    mail.wait_for(count)
    return JOIN.search(mail.to(address)[-1].get_content()).group(1)


def new_page(browser, portal):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def accept(page, link: str, username: str):
    page.goto(link)
    expect(page.get_by_role("heading", name="Accept the invitation")).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("#id_password_again").fill("a-long-test-password")
    page.get_by_role("button", name="Create my account and accept").click()
    expect(page.locator(".messages .success, .messages li").first).to_be_visible()


def refused(page, portal, path: str):
    """The page answers 403 (with its reason) or 404, and shows no form to act with."""
    response = page.goto(f"{portal}{path}")
    assert response.status in (403, 404), f"{path} answered {response.status}"
    expect(page.locator("main form.form-grid")).to_have_count(0)


@pytest.fixture
def chad(portal):
    team = make_team("TCD")
    for acronym in ("WFP", "UNICEF", "WHO"):
        TeamMember.objects.create(team=team, agency=Agency.objects.get(acronym=acronym), start_date=dt.date(2020, 1, 1))
    return team


def test_the_team_builds_its_roster_and_hands_over(browser, sign_in, portal, chad, smtp_server):
    outsider = make_user("focal_point", Team.objects.get(name="UN Nutrition Cambodia"))
    intruder = sign_in(outsider)
    refused(intruder, portal, f"/access/invite/?team={chad.pk}")
    refused(intruder, portal, f"/teams/{chad.pk}/focal-points/new/")

    # The Secretariat invites a convener (WFP) from the team's page.
    secretariat = sign_in(make_user("secretariat"))
    secretariat.goto(f"{portal}/teams/{chad.pk}/")
    secretariat.get_by_role("link", name="Invite someone").click()
    secretariat.locator("#id_name").fill("Amina Mahamat")
    secretariat.locator("#id_email").fill("amina.mahamat@wfp.example.org")
    secretariat.locator("#id_role").select_option("convener")
    secretariat.locator("#id_agency").select_option("WFP")
    secretariat.get_by_role("button", name="Send the invitation").click()
    expect(secretariat.locator(".messages")).to_contain_text("Invitation sent to amina.mahamat@wfp.example.org")
    link = link_in(smtp_server, "amina.mahamat@wfp.example.org", 1)

    # Another team's focal point who got hold of the link cannot use it for themselves.
    intruder.goto(link)
    intruder.get_by_role("button", name="Accept").click()
    expect(intruder.locator("main")).to_contain_text("This invitation is for amina.mahamat@wfp.example.org")

    # The convener accepts, choosing a password, and lands on the team's page signed in.
    convener_context, convener = new_page(browser, portal)
    accept(convener, link, "amina")
    expect(convener.locator(".convener-now")).to_contain_text("Convened by WFP")
    expect(convener.locator(".role")).to_have_text("Convener")
    # The link works once.
    _, again = new_page(browser, portal)
    again.goto(link)
    expect(again.locator("main")).to_contain_text("already been used")

    # The convener invites UNICEF's focal point.
    convener.get_by_role("link", name="Invite someone").click()
    convener.locator("#id_name").fill("Idriss Deby")
    convener.locator("#id_email").fill("idriss@unicef.example.org")
    convener.locator("#id_role").select_option("focal_point")
    convener.locator("#id_agency").select_option("UNICEF")
    convener.locator("#id_language").select_option("fr")
    convener.get_by_role("button", name="Send the invitation").click()
    expect(convener.locator(".messages")).to_contain_text("Invitation sent")
    link = link_in(smtp_server, "idriss@unicef.example.org", 2)
    assert smtp_server.to("idriss@unicef.example.org")[-1]["Content-Language"] == "fr"

    focal_context, focal = new_page(browser, portal)
    accept(focal, link, "idriss")
    # Invited in French, the new focal point's portal is in French; they switch this browser to English.
    expect(focal.locator("html")).to_have_attribute("lang", "fr")
    expect(focal.locator(".role")).to_have_text("Point focal")
    focal.locator("#language-select").select_option("en")
    focal.locator(".language-form button").click()
    expect(focal.locator(".role")).to_have_text("Focal point")
    expect(focal.locator("section[aria-labelledby=members]")).to_contain_text("Idriss Deby")

    # The focal point adds a colleague: the roster shows them, with today as "last confirmed".
    focal.get_by_role("link", name="Add a focal point").click()
    focal.locator("#id_agency").select_option("UNICEF")
    focal.locator("#id_name").fill("Achta Ali")
    focal.locator("#id_email").fill("achta@unicef.example.org")
    focal.get_by_role("button", name="Add").click()
    members = focal.locator("section[aria-labelledby=members]")
    expect(members).to_contain_text("Achta Ali")
    expect(members.locator("tr", has_text="Achta Ali")).not_to_contain_text("never")
    refused(intruder, portal, f"/teams/focal-points/{FocalPoint.objects.get(person__name='Achta Ali').pk}/edit/")

    # ... and hands over: "I'm leaving this role", naming the colleague, who gets an invitation.
    entry = FocalPoint.objects.get(person__email="idriss@unicef.example.org")
    refused(intruder, portal, f"/access/leave/{entry.pk}/")
    focal.get_by_role("link", name="I'm leaving this role").click()
    focal.locator("#id_reason").select_option("reassigned")
    focal.locator("#id_successor_name").fill("Achta Ali")
    focal.locator("#id_successor_email").fill("achta@unicef.example.org")
    focal.get_by_role("button", name="I'm leaving this role").click()
    expect(focal.locator(".messages")).to_contain_text("Achta Ali is invited to take over")
    entry.refresh_from_db()
    assert entry.end_date == timezone.localdate() and entry.end_reason == "reassigned"
    colleague_link = link_in(smtp_server, "achta@unicef.example.org", 3)
    colleague_context, colleague = new_page(browser, portal)
    accept(colleague, colleague_link, "achta")
    assert FocalPoint.objects.get(person__email="achta@unicef.example.org").is_primary

    # The convener hands over to a successor, who confirms by accepting; the history shows both terms.
    term = ConvenerTerm.objects.get(team=chad, person__email="amina.mahamat@wfp.example.org")
    refused(intruder, portal, f"/access/hand-over/{term.pk}/")
    convener.goto(f"{portal}/teams/{chad.pk}/")
    convener.get_by_role("link", name="Hand over").click()
    convener.locator("#id_name").fill("Moussa Faki")
    convener.locator("#id_email").fill("moussa@unicef.example.org")
    convener.locator("#id_agency").select_option("UNICEF")
    starts = timezone.localdate() + dt.timedelta(days=1)
    convener.locator("#id_starts_on").fill(starts.isoformat())
    convener.get_by_role("button", name="Name the successor").click()
    expect(convener.locator(".messages")).to_contain_text("Moussa Faki is invited to take over")
    expect(convener.locator(".pending-invitations")).to_contain_text("waiting for the successor")
    term.refresh_from_db()
    assert term.end_date is None
    successor_context, successor = new_page(browser, portal)
    accept(successor, link_in(smtp_server, "moussa@unicef.example.org", 4), "moussa")
    history = successor.locator("section[aria-labelledby=conveners] table tbody")
    expect(history.locator("tr")).to_have_count(2)
    expect(history.locator("tr").nth(0)).to_contain_text("UNICEF")
    expect(history.locator("tr").nth(1)).to_contain_text("WFP")
    term.refresh_from_db()
    assert term.end_date == starts - dt.timedelta(days=1)
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 4
    for context in (convener_context, focal_context, colleague_context, successor_context):
        context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/teams/{team}/",
        "/access/invite/?team={team}",
        "/teams/{team}/focal-points/new/",
        "/access/invitations/",
        "/governance/",
    ],
)
def test_new_pages_fit_a_phone(browser, portal, chad, path):
    """At 375 px wide the new pages scroll vertically only (wide tables scroll inside their box)."""
    convener = make_user("convener", chad, agency="WFP")
    make_user("focal_point", chad, agency="UNICEF")
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{portal}/accounts/login/")
    page.locator("#id_username").fill(convener.username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(dashboard|tasks)/$"))  # conveners and focal points land on My tasks
    page.goto(portal + path.format(team=chad.pk))
    expect(page.locator("h1")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    context.close()
