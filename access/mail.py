"""E-mail the people and access features send: rendered in the recipient's language, sent
after the transaction that caused it commits (a refused or rolled-back change sends nothing).

The backend is whatever settings say (EMAIL_URL: SMTP in production, the console for
`make run`). A failure to send is logged and does not undo the change: an invitation
whose e-mail failed shows "not sent" and can be resent.
"""

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def language_of(user) -> str:
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user is not None else settings.LANGUAGE_CODE


def wants_email(user) -> bool:
    return bool(user is not None and user.is_active and user.email and user.email_notifications)


def send_after_commit(
    *, to: str, template: str, context: dict, language: str, on_sent: Callable[[], None] | None = None
) -> None:
    """Send `access/email/<template>.txt` (subject: `<template>_subject.txt`) to `to` once committed."""
    transaction.on_commit(
        partial(send_now, to=to, template=template, context=context, language=language, on_sent=on_sent)
    )


def send_now(*, to: str, template: str, context: dict, language: str, on_sent=None) -> bool:
    with translation.override(language):
        subject = " ".join(render_to_string(f"access/email/{template}_subject.txt", context).split())
        body = render_to_string(f"access/email/{template}.txt", context)
    try:
        EmailMessage(subject, body, to=[to], headers={"Content-Language": language}).send()
    except Exception:  # the SMTP server refused or is down: logged, the change stays
        logger.exception("Could not send the %s e-mail to %s", template, to)
        return False
    if on_sent is not None:
        on_sent()
    return True
