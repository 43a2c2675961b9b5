from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.client_address import client_address


class AddressRateThrottle(SimpleRateThrottle):
    """Counts an anonymous client by its address, resolved as lock-outs and the
    security log resolve it (DJANGO_PROXY_COUNT; a forged X-Forwarded-For does not
    make a fresh client)."""

    def get_ident(self, request):
        return client_address(request) or ""


class TokenRateThrottle(AddressRateThrottle):
    """Limits each API token separately; a browser session counts per user.

    Two scripts of one owner get a budget each, and revoking a noisy token
    does not lock its owner out of the portal.
    """

    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        token = getattr(request.auth, "token_key", None)
        if token:
            ident = f"token:{token}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
