"""The e-mail of an outbox row: one notification, or a digest of several, in the recipient's language,
each with a link to where to act and the one-click link to change how such notifications arrive."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import texts
from .models import Delivery, Email, Kind
from .tokens import settings_token


def absolute(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_URL.rstrip("/") + path


def settings_link(email: Email, kinds) -> str:
    return absolute(reverse("cycle:email-settings", args=[settings_token(email.recipient_id, kinds)]))


def build_message(email: Email) -> EmailMessage:
    notifications = list(email.notifications.select_related("team").order_by("created_at", "pk"))
    if not notifications:
        raise ValueError(f"e-mail {email.pk} carries no notification")
    kinds = sorted({n.kind for n in notifications})
    link = settings_link(email, kinds)
    with translation.override(email.language):
        if email.form == Email.Form.SINGLE:
            first = notifications[0]
            subject = texts.title(first)
        elif email.form == Email.Form.DAILY:
            subject = ngettext(
                "Your daily summary: %(count)s notification", "Your daily summary: %(count)s notifications",
                len(notifications),
            ) % {"count": len(notifications)}  # fmt: skip
        else:
            subject = ngettext(
                "Your weekly summary: %(count)s notification", "Your weekly summary: %(count)s notifications",
                len(notifications),
            ) % {"count": len(notifications)}  # fmt: skip
        parts = []
        for notification in notifications:
            lines = [texts.title(notification), *texts.body(notification)]
            if notification.link:
                lines.append(_("Open: %(link)s") % {"link": absolute(notification.link)})
            parts.append("\n".join(lines))
        how = {
            Email.Form.SINGLE: str(Delivery.IMMEDIATE.label),
            Email.Form.DAILY: str(Delivery.DAILY.label),
            Email.Form.WEEKLY: str(Delivery.WEEKLY.label),
        }[email.form]
        footer = [
            "-- ",
            _("You receive these notifications %(how)s: %(kinds)s.")
            % {"how": how.lower(), "kinds": "; ".join(str(Kind(k).label) for k in kinds)},
            _("To receive them otherwise, or not by e-mail, in one click: %(link)s") % {"link": link},
            _("All your notifications: %(link)s") % {"link": absolute(reverse("cycle:notifications"))},
        ]
        body = "\n\n".join(parts) + "\n\n" + "\n".join(footer) + "\n"
    return EmailMessage(
        subject=f"[UN Nutrition] {subject}",
        body=body,
        to=[email.to],
        headers={
            "Message-ID": email.message_id,
            "Content-Language": email.language,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
