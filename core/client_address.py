"""The client's address, one rule for everything that counts or logs by address.

django-axes (lock-outs, via AXES_CLIENT_IP_CALLABLE), the security log and the
API throttles all call `client_address()`. It is DRF's rule with NUM_PROXIES,
which settings.py sets from DJANGO_PROXY_COUNT:

- 0 (the default): REMOTE_ADDR. X-Forwarded-For is ignored, because without a
  proxy of our own in front anybody can write it.
- n: the n-th address from the right of X-Forwarded-For, the one the outermost
  of our n proxies saw (each proxy appends the address it received from).

Anything that is not an IP address there (a misconfigured proxy) falls back to
REMOTE_ADDR, so the security log always stores an address.
"""

import ipaddress

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str | None:
    candidates = (BaseThrottle().get_ident(request), request.META.get("REMOTE_ADDR"))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address((candidate or "").strip()))
        except ValueError:
            continue
    return None
