"""What a notification says, made in the reader's language when it is shown or sent.

A notification keeps its kind and plain parameters (a year, a date, a comment as written); the
words around them are translated here, in the language active when `title` or `body` runs (the
portal's page, or the recipient's language for an e-mail: cycle/mail.py).
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Deadline, Kind, Notification


def team_name(notification: Notification) -> str:
    team = notification.team
    if team is not None:
        name = team.localized_name()
        return getattr(name, "plain", str(name))
    return notification.params.get("team", "")


def day(value: str) -> str:
    """An ISO date as the reader's language writes dates."""
    try:
        return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return value or ""


def deadline_label(kind: str) -> str:
    try:
        return str(Deadline.Kind(kind).label)
    except ValueError:
        return kind


def amendment_kind_label(kind: str) -> str:
    from workplans.models import Amendment

    try:
        return str(Amendment.Kind(kind).label)
    except ValueError:
        return kind


def title(notification: Notification) -> str:
    """One line: the portal's list, the e-mail's subject."""
    p, team = notification.params, team_name(notification)
    year = p.get("year", "")
    kind = notification.kind
    if kind == Kind.WORKPLAN_SUBMITTED:
        if p.get("amendment"):
            return _("Amendment %(number)s to the %(year)s workplan of %(team)s is submitted for endorsement") % {
                "number": p["amendment"], "year": year, "team": team}  # fmt: skip
        return _("The %(year)s workplan of %(team)s is submitted for endorsement") % {"year": year, "team": team}
    if kind == Kind.ENDORSEMENT_GIVEN:
        return _("%(agency)s endorsed the %(year)s workplan of %(team)s") % {
            "agency": p.get("agency") or _("The convener"), "year": year, "team": team}  # fmt: skip
    if kind == Kind.WORKPLAN_RETURNED:
        return _("The %(year)s workplan of %(team)s was returned") % {"year": year, "team": team}
    if kind == Kind.WORKPLAN_ENDORSED:
        return _("The %(year)s workplan of %(team)s is endorsed") % {"year": year, "team": team}
    if kind == Kind.WORKPLAN_ACKNOWLEDGED:
        return _("The Secretariat acknowledged the %(year)s workplan of %(team)s") % {"year": year, "team": team}
    if kind == Kind.AMENDMENT:
        action = p.get("action")
        values = {"number": p.get("number"), "year": year, "team": team}
        if action == "approved":
            return _("Amendment %(number)s to the %(year)s workplan of %(team)s is in force") % values
        if action == "withdrawn":
            return _("Amendment %(number)s to the %(year)s workplan of %(team)s was withdrawn") % values
        return _("Amendment %(number)s to the %(year)s workplan of %(team)s was started") % values
    if kind == Kind.DEADLINE_NEAR:
        days = int(p.get("days", 0))
        values = {"what": deadline_label(p.get("deadline")), "team": team, "date": day(p.get("due_on"))}
        if days <= 0:
            return _("Due today: %(what)s, %(team)s") % values
        return ngettext(
            "Due in %(days)s day: %(what)s, %(team)s (%(date)s)",
            "Due in %(days)s days: %(what)s, %(team)s (%(date)s)",
            days,
        ) % {**values, "days": days}
    if kind == Kind.DEADLINE_OVERDUE:
        late = int(p.get("days_late", 0))
        return ngettext(
            "Overdue by %(days)s day: %(what)s, %(team)s",
            "Overdue by %(days)s days: %(what)s, %(team)s",
            late,
        ) % {"days": late, "what": deadline_label(p.get("deadline")), "team": team}
    if kind == Kind.SECRETARIAT_DIGEST:
        behind = len(p.get("behind", []))
        return ngettext(
            "This week: %(count)s team behind schedule",
            "This week: %(count)s teams behind schedule",
            behind,
        ) % {"count": behind}
    return str(notification.get_kind_display())


def body(notification: Notification) -> list[str]:
    """The lines that follow the title in an e-mail and on the notifications page."""
    p = notification.params
    lines: list[str] = []
    kind = notification.kind
    if kind == Kind.WORKPLAN_SUBMITTED:
        if p.get("by"):
            lines.append(_("Submitted by %(name)s.") % {"name": p["by"]})
        if p.get("amendment_kind"):
            lines.append(_("Type of amendment: %(kind)s.") % {"kind": amendment_kind_label(p["amendment_kind"])})
        if p.get("comment"):
            lines.append(_("Comment: %(comment)s") % {"comment": p["comment"]})
        if p.get("respond_by"):
            lines.append(
                _("Please endorse it or return it with a reason by %(date)s.") % {"date": day(p["respond_by"])}
            )
        if p.get("signs_for"):
            lines.append(_("You sign for %(agency)s.") % {"agency": p["signs_for"]})
    elif kind == Kind.ENDORSEMENT_GIVEN:
        if p.get("by"):
            lines.append(_("Recorded by %(name)s.") % {"name": p["by"]})
        if p.get("comment"):
            lines.append(_("Comment: %(comment)s") % {"comment": p["comment"]})
        if p.get("waiting"):
            lines.append(_("Still to answer: %(agencies)s.") % {"agencies": ", ".join(p["waiting"])})
    elif kind == Kind.WORKPLAN_RETURNED:
        if p.get("by"):
            lines.append(_("Returned by %(name)s.") % {"name": p["by"]})
        if p.get("reason"):
            lines.append(_("Reason: %(reason)s") % {"reason": p["reason"]})
        lines.append(_("The workplan is a draft again: fix it and submit it anew."))
    elif kind == Kind.WORKPLAN_ENDORSED:
        if p.get("no_objection"):
            lines.append(_("Nobody objected by the deadline."))
        if p.get("amendment"):
            lines.append(_("Amendment %(number)s is in force.") % {"number": p["amendment"]})
    elif kind == Kind.WORKPLAN_ACKNOWLEDGED:
        if p.get("comment"):
            lines.append(_("Comment: %(comment)s") % {"comment": p["comment"]})
    elif kind == Kind.AMENDMENT:
        if p.get("kind"):
            lines.append(_("Type of amendment: %(kind)s.") % {"kind": amendment_kind_label(p["kind"])})
        if p.get("reason"):
            lines.append(_("Reason: %(reason)s") % {"reason": p["reason"]})
    elif kind in (Kind.DEADLINE_NEAR, Kind.DEADLINE_OVERDUE):
        lines.append(_("Due on %(date)s.") % {"date": day(p.get("due_on"))})
        for item in p.get("missing", []):
            lines.append("- " + missing_line(item))
        if p.get("copy"):
            lines.append(_("You receive this in copy, as the team's convener."))
    elif kind == Kind.SECRETARIAT_DIGEST:
        for row in p.get("behind", []):
            lines.append(
                "- "
                + _("%(team)s: %(what)s, due %(date)s")
                % {"team": row.get("team"), "what": deadline_label(row.get("deadline")), "date": day(row.get("due_on"))}
            )
        if p.get("to_acknowledge"):
            lines.append(
                ngettext(
                    "%(count)s endorsed workplan waits for your acknowledgement.",
                    "%(count)s endorsed workplans wait for your acknowledgement.",
                    p["to_acknowledge"],
                )
                % {"count": p["to_acknowledge"]}
            )
        if p.get("undelivered"):
            lines.append(
                ngettext(
                    "%(count)s e-mail could not be delivered: see the list of undelivered e-mails.",
                    "%(count)s e-mails could not be delivered: see the list of undelivered e-mails.",
                    p["undelivered"],
                )
                % {"count": p["undelivered"]}
            )
    return lines


def missing_line(item: dict) -> str:
    """What is still missing for a deadline: {"what": "progress", "count": 3} and the like."""
    count = int(item.get("count", 0))
    what = item.get("what")
    if what == "workplan":
        return _("No workplan yet for this year.")
    if what == "submission":
        return _("The workplan is not submitted yet.")
    if what == "endorsement":
        return _("The workplan is not endorsed yet.")
    if what == "progress":
        return ngettext(
            "%(count)s activity has no progress update for this period.",
            "%(count)s activities have no progress update for this period.",
            count,
        ) % {"count": count}
    if what == "values":
        return ngettext(
            "%(count)s indicator has no value for this period.",
            "%(count)s indicators have no value for this period.",
            count,
        ) % {"count": count}
    return what or ""
