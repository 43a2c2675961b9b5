"""Writes about a user's own account."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import User


@transaction.atomic
def update_preferences(*, user, language: str, email_notifications: bool) -> User:
    """The user's language (empty: the browser's) and whether they get notices by e-mail."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the six UN languages.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    user.language, user.email_notifications = language, email_notifications
    user._history_user = user
    user.save(update_fields=["language", "email_notifications"])
    return user
