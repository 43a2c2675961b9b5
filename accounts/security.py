"""The security log: sign-ins, failures, lock-outs, tokens, role changes, downloads.

Receivers of Django's auth signals, django-axes' lock-out signal and knox's
token model signals write SecurityEvent rows; `record()` is called directly
where no signal exists (report downloads).

A password change, by any path (the portal's change and reset pages, the
admin, `set_password()` and `save()` in a shell), revokes every API token of
the user and is logged with the number of tokens revoked. Tokens always
expire: one created without an expiry (the admin, a shell) gets the token
endpoint's REST_KNOX["TOKEN_TTL"].
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from core.request_log import current_request_var

from .models import SecurityEvent, User


def client_address(request) -> str | None:
    """The client's address, resolved the way django-axes resolves it for lock-outs."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def record(kind, *, request=None, user=None, username="", detail=""):
    """One line of the security log; without `request`, the request being handled (if any) gives the address."""
    if request is None:
        request = current_request_var.get()
    if user is not None and not getattr(user, "pk", None):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        ip_address=client_address(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
        detail=detail[:500],
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(SecurityEvent.Kind.SIGN_IN, request=request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(SecurityEvent.Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    record(
        SecurityEvent.Kind.SIGN_IN_FAILED,
        request=request,
        user=User.objects.filter(username=username).first(),
        username=username,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    record(
        SecurityEvent.Kind.LOCKED_OUT,
        request=request,
        user=User.objects.filter(username=username).first(),
        username=username or "",
        detail=f"after repeated failures from {ip_address}",
    )


def _token_saved(sender, instance, created, **kwargs):
    if created:
        record(SecurityEvent.Kind.TOKEN_ISSUED, user=instance.user, detail=f"token {instance.token_key}…")


def _token_deleted(sender, instance, **kwargs):
    record(SecurityEvent.Kind.TOKEN_REVOKED, user=instance.user, detail=f"token {instance.token_key}…")


def _token_expiry(sender, instance, raw=False, **kwargs):
    """No token without an expiry: the admin's form and a bare create() get the token endpoint's TTL."""
    from knox.settings import knox_settings

    if not raw and instance.expiry is None and knox_settings.TOKEN_TTL is not None:
        instance.expiry = timezone.now() + knox_settings.TOKEN_TTL


def _is_hash_upgrade(instance, update_fields) -> bool:
    """Django re-hashes an unchanged password on sign-in when its hasher's settings
    change (`check_password`'s setter): a new hash, the same password."""
    return instance._password is None and update_fields is not None and set(update_fields) == {"password"}


@receiver(pre_save, sender=User)
def _role_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not instance.pk:
        return
    before = (
        User.objects.filter(pk=instance.pk)
        .values("is_secretariat", "is_staff", "is_superuser", "person_id", "password")
        .first()
    )
    if before is None:
        return
    if before["password"] != instance.password and not _is_hash_upgrade(instance, update_fields):
        instance._password_changed = True
    changes = [
        f"{field}: {before[field]} -> {getattr(instance, field)}"
        for field in ("is_secretariat", "is_staff", "is_superuser", "person_id")
        if before[field] != getattr(instance, field)
    ]
    if changes:
        instance._role_changes = "; ".join(changes)


@receiver(post_save, sender=User)
def _role_changed(sender, instance, **kwargs):
    changes = getattr(instance, "_role_changes", None)
    if changes:
        del instance._role_changes
        record(SecurityEvent.Kind.ROLE_CHANGED, user=instance, detail=changes)


@receiver(post_save, sender=User)
def _password_changed(sender, instance, **kwargs):
    """A new password ends every API token of the user (each revocation is logged too)."""
    if not getattr(instance, "_password_changed", False):
        return
    del instance._password_changed
    from knox.models import AuthToken

    tokens = AuthToken.objects.filter(user=instance)
    revoked = tokens.count()
    record(SecurityEvent.Kind.PASSWORD_CHANGED, user=instance, detail=f"{revoked} API token(s) revoked")
    tokens.delete()


def connect():
    """Hook up the receivers that need other apps' senders (called from AppConfig.ready)."""
    from axes.signals import user_locked_out
    from knox.models import AuthToken

    user_locked_out.connect(_locked_out, dispatch_uid="security-locked-out")
    pre_save.connect(_token_expiry, sender=AuthToken, dispatch_uid="security-token-expiry")
    post_save.connect(_token_saved, sender=AuthToken, dispatch_uid="security-token-issued")
    post_delete.connect(_token_deleted, sender=AuthToken, dispatch_uid="security-token-revoked")


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out client sees: JSON with a 429 for the API, the portal page otherwise."""
    from django.conf import settings
    from django.http import JsonResponse
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins: this username is locked from your address for up to {minutes} minutes. "
        "Try again later or ask the Secretariat to unlock it."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
