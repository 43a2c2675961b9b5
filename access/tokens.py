"""Links that act without signing in.

Invitation links carry a random token (secrets.token_urlsafe, 256 bits); only its
SHA-256 is stored, so a copy of the database gives no working link. The links of
the yearly roster check are signed (django.core.signing) with the entry and the
day the check was asked, and expire with the next check.
"""

import hashlib
import secrets

from django.core import signing

CHECK_SALT = "access.roster-check"


def new_token() -> tuple[str, str]:
    """(token for the link, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def entry_token(kind: str, pk: int) -> str:
    """The signed token of a roster entry's yearly check: kind is "fp" (focal point) or "ct" (convener term)."""
    return signing.dumps({"k": kind, "id": pk}, salt=CHECK_SALT, compress=True)


def read_entry_token(token: str, max_age_days: int) -> tuple[str, int] | None:
    try:
        data = signing.loads(token, salt=CHECK_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("k") not in ("fp", "ct") or not isinstance(data.get("id"), int):
        return None
    return data["k"], data["id"]
