"""The security log: sign-ins, failures, lock-outs, tokens, role changes, downloads.

Receivers of Django's auth signals, django-axes' lock-out signal and knox's
token model signals write SecurityEvent rows; `record()` is called directly
where no signal exists (report downloads, password changes).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import SecurityEvent, User


def client_address(request) -> str | None:
    """The client's address, resolved the way django-axes resolves it for lock-outs."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def record(kind, *, request=None, user=None, username="", detail=""):
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


@receiver(pre_save, sender=User)
def _role_change(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    before = (
        User.objects.filter(pk=instance.pk).values("is_secretariat", "is_staff", "is_superuser", "person_id").first()
    )
    if before is None:
        return
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


def connect():
    """Hook up the receivers that need other apps' senders (called from AppConfig.ready)."""
    from axes.signals import user_locked_out
    from knox.models import AuthToken

    user_locked_out.connect(_locked_out, dispatch_uid="security-locked-out")
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
