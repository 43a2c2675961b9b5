"""The one-click link in every notification e-mail: signed, no sign-in needed.

It names the recipient and the kinds of notification the e-mail carried; opening it shows those
kinds' settings with one button each (a POST: a mail scanner following the link changes nothing),
and a mail client's RFC 8058 one-click unsubscribe POSTs to it to turn them off.
"""

from django.core import signing

SALT = "cycle.notification-settings"
MAX_AGE_DAYS = 400


def settings_token(user_id: int, kinds) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def read_settings_token(token: str) -> tuple[int, list[str]] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_DAYS * 86400)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), list):
        return None
    return data["u"], [str(kind) for kind in data["k"]]
