"""Joint endorsement in a real browser, with e-mail through a real SMTP server: the convener submits,
two signatories endorse, the third returns the plan with a reason, the team fixes it and submits again,
all three endorse. Each person sees the right notifications (the bell, the page, an e-mail) and tasks."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from cycle.models import Notification
from teams.models import TeamMember
from unnutrition.celery import app as celery_app
from workplans.models import EndorsementRound, Workplan

from ..factories import make_activity, make_team, make_user, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = dt.date.today().year


@pytest.fixture
def in_process_jobs():
    """E-mails are sent by the job the commit queues; here it runs in the server's process."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def chad(portal):
    team = make_team("TCD")
    TeamMember.objects.create(team=team, agency=Agency.objects.get(acronym="WFP"), start_date=dt.date(2020, 1, 1))
    return team


def bell(page):
    return page.locator(".bell")


def answer(page, portal, plan, button: str, text: str = ""):
    """From My tasks, open the workplan waiting for this signatory and endorse or return it."""
    page.goto(f"{portal}/tasks/")
    page.get_by_role("link", name=re.compile(f"Endorse or return the {YEAR} workplan")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Endorsement of the")
    page.get_by_role("link", name=button, exact=True).click()
    page.get_by_label(re.compile("Comment|Why is it returned")).fill(text)
    page.locator("main form button[type=submit]").click()


def test_joint_endorsement_with_a_return_and_a_second_round(browser, sign_in, portal, chad, smtp_server,
                                                            in_process_jobs):  # fmt: skip
    convener = make_user("convener", chad, agency="WFP", email="amina@wfp.example.org")
    unicef = make_user("focal_point", chad, agency="UNICEF", email="idriss@unicef.example.org")
    who = make_user("focal_point", chad, agency="WHO", email="hawa@who.example.org")
    plan = make_workplan(chad, YEAR)
    activity = make_activity(plan, title="Joint anaemia survey", budget_required=100000)

    # The convener lands on My tasks, and submits from the workplan's page.
    lead = sign_in(convener)
    expect(lead.get_by_role("heading", level=1)).to_have_text("My tasks")
    lead.goto(f"{portal}/workplans/{plan.pk}/")
    lead.get_by_role("link", name="Submit for endorsement").click()
    asked = lead.locator("main ul").first
    for who_signs in ("WFP", "UNICEF", "WHO"):
        expect(asked).to_contain_text(who_signs)
    lead.get_by_label("Comment").fill("Draft agreed at the March meeting.")
    lead.get_by_role("button", name="Yes, submit").click()
    expect(lead.locator(".page-head .status")).to_have_text("Submitted")
    expect(lead.locator(".notice")).to_contain_text("Waiting for the endorsement of: UNICEF, WFP, WHO")

    # Each signatory is told: the bell, an e-mail with the link, a task.
    smtp_server.wait_for(3)
    for address in ("amina@wfp.example.org", "idriss@unicef.example.org", "hawa@who.example.org"):
        [message] = smtp_server.to(address)
        assert message["Subject"].endswith(f"The {YEAR} workplan of UN Nutrition Chad is submitted for endorsement")
        assert f"/workplans/{plan.pk}/endorsement/" in message.get_content()
    first = sign_in(unicef)
    expect(first.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(bell(first)).to_contain_text("1")
    answer(first, portal, plan, "Endorse", "UNICEF agrees.")
    expect(first.locator(".messages")).to_contain_text("Your endorsement is recorded")
    answer(lead, portal, plan, "Endorse", "")
    expect(lead.locator(".messages")).to_contain_text("Your endorsement is recorded")

    # The third returns it, and must say why.
    third = sign_in(who)
    answer(third, portal, plan, "Return to the team", "")
    expect(third.locator(".error-summary")).to_contain_text("Say why the workplan is returned")
    third.get_by_label("Why is it returned?").fill("The survey has no budget for data collection.")
    third.locator("main form button[type=submit]").click()
    expect(third.locator(".messages")).to_contain_text("Workplan returned to the team")
    expect(third.locator(".page-head .status")).to_have_text("Draft")

    # The team hears why; the convener fixes the plan and submits it again.
    lead.goto(f"{portal}/notifications/")
    returned = lead.locator(".notification", has_text="was returned")
    expect(returned).to_contain_text("Reason: The survey has no budget for data collection.")
    lead.goto(f"{portal}/workplans/activities/{activity.pk}/edit/")
    lead.get_by_label("Budget required").fill("140000")
    lead.get_by_role("button", name="Save").click()
    expect(lead.locator(".messages")).to_contain_text("saved")
    lead.get_by_role("link", name="Submit for endorsement").click()
    lead.get_by_label("Comment").fill("Data collection budgeted.")
    lead.get_by_role("button", name="Yes, submit").click()
    expect(lead.locator(".page-head .status")).to_have_text("Submitted")

    for page, text in ((first, "Still fine."), (third, "Thank you, now complete."), (lead, "")):
        answer(page, portal, plan, "Endorse", text)
    expect(lead.locator(".page-head .status")).to_have_text("Endorsed")
    expect(lead.locator("#current-title")).to_have_count(0)
    rounds = lead.locator("details")
    expect(rounds.first).to_contain_text("Round 2: Endorsed")
    expect(rounds.nth(1)).to_contain_text("The survey has no budget for data collection.")

    # Everyone knows; nobody has an endorsement left to do.
    plan.refresh_from_db()
    assert plan.status == Workplan.Status.ENDORSED
    assert list(EndorsementRound.objects.filter(workplan=plan).order_by("number").values_list("status", flat=True)) == [
        "returned", "endorsed"]  # fmt: skip
    for person, page in ((unicef, first), (who, third), (convener, lead)):
        kinds = list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))
        assert kinds.count("workplan_submitted") == 2 and kinds.count("workplan_endorsed") == 1, (person, kinds)
        page.goto(f"{portal}/tasks/")
        expect(page.get_by_role("link", name=re.compile("Endorse or return"))).to_have_count(0)
        page.goto(f"{portal}/notifications/")
        expect(page.locator(".notification").first).to_contain_text(
            f"The {YEAR} workplan of UN Nutrition Chad is endorsed"
        )
    assert "workplan_returned" in Notification.objects.filter(recipient=unicef).values_list("kind", flat=True)
    assert "workplan_returned" not in Notification.objects.filter(recipient=who).values_list("kind", flat=True)
    # The bell counts what is unread; the notifications page marks them read.
    lead.goto(f"{portal}/notifications/")
    lead.get_by_role("button", name="Mark all as read").click()
    expect(bell(lead)).not_to_contain_text(re.compile(r"\d"))


@pytest.mark.parametrize("path", ["/tasks/", "/notifications/", "/calendar/", "/workplans/{plan}/endorsement/",
                                  "/workplans/teams/{team}/signatories/"])  # fmt: skip
def test_the_cycle_pages_fit_a_phone(browser, portal, chad, path):
    convener = make_user("convener", chad, agency="WFP")
    make_user("focal_point", chad, agency="UNICEF")
    plan = make_workplan(chad, YEAR)
    make_activity(plan)
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{portal}/accounts/login/")
    page.locator("#id_username").fill(convener.username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/tasks/$"))
    page.goto(portal + path.format(plan=plan.pk, team=chad.pk))
    expect(page.locator("h1")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    context.close()
