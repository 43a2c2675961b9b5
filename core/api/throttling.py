"""API throttles: a counter per client and window, one cache round trip per request.

DRF's SimpleRateThrottle keeps, per client, the time of every request of the
last hour as a list it reads, changes and writes back on each request: at the
API's 5,000 requests an hour, a busy client's every request moved and pickled a
list of up to 5,000 numbers twice. Here a client's window opens with its first
request and lasts the rate's period; the cache counts the requests in it
(core.cache: INCR, EXPIRE NX and TTL in one Redis transaction), so a request
costs the same however many came before. Once the count passes the rate, the
client is refused until the window closes (Retry-After says when), then counts
afresh. Rates are written as DRF's ("5000/hour").
"""

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from core.cache import count_in
from core.client_address import client_address


class WindowRateThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rates, scopes and keys, counted per window instead of listed."""

    cache = cache
    # Not DRF's key: a counter, where DRF's throttle kept a list (an earlier release's list is not read).
    cache_format = "throttle-count_%(scope)s_%(ident)s"
    seconds_left: float = 0.0

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        count, self.seconds_left = count_in(self.cache, key, self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left


class AddressRateThrottle(WindowRateThrottle):
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
