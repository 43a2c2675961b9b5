"""Data versions: what a cached read was built from, so it is never answered after a write.

A *scope* names a group of tables ("teams": rosters and reference data;
"workplans": plans, activities, progress, money). Each scope has a version in
Django's cache: a random token, replaced by `changed(scope)` whenever a row of
the scope is written. A cached representation is stored under the versions it
was built from (core.api.conditional), so once a version is replaced no reader
finds the old entry again. Tokens are random, never counters: a version that
is evicted, or cleared from Redis after an outage, comes back as a new token,
never as one an old entry was stored under.

Who calls `changed`:
- the write services (workplans/services.py and the other apps' services), on
  every write, explicitly;
- post_save / post_delete / m2m_changed of every tracked model (`track()`,
  called by the project package with the model-to-scope map), which covers the
  admin, history reverts, loaddata and anything else that saves a model;
- bulk loaders that bypass signals (`bulk_create`, `update()`: the reference
  data and demo data loaders, restore) call `changed_everything()` at the end.

Timing: the version is replaced at once (so this process's next read and a
single-threaded test see the write) and again when the transaction commits
(a reader that fetched the first new version before the commit may have stored
what it read from the old rows under it; the second replacement retires that
entry). A write that is rolled back only costs a cache miss.

While the cache is degraded (core.cache.FallbackCache answering from this
process's memory because Redis is down), versions would diverge between web
processes, so `usable()` is False and readers must build every answer afresh.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

TEAMS = "teams"
WORKPLANS = "workplans"
SCOPES = (TEAMS, WORKPLANS)

KEY_PREFIX = "dv:"
# A version lives as long as anything stored under it may (core.api.conditional keeps entries a day).
TIMEOUT = 7 * 24 * 3600

# "app_label" or "app_label.modelname" -> scope; the more specific entry wins (filled by track()).
_tracked: dict[str, str] = {}


def usable() -> bool:
    """Whether versions (and so cached answers) can be trusted: not while the cache runs degraded."""
    return not getattr(cache, "degraded", False)


def _new_token() -> str:
    return secrets.token_hex(8)


def current(*scopes: str) -> tuple[str, ...]:
    """The versions of `scopes` now, in that order (one cache round trip; missing ones are created)."""
    keys = [KEY_PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            # add() so two processes creating it at once agree on one token.
            cache.add(key, _new_token(), TIMEOUT)
            version = cache.get(key) or _new_token()
        versions.append(version)
    return tuple(versions)


def _replace(scopes) -> None:
    try:
        cache.set_many({KEY_PREFIX + scope: _new_token() for scope in scopes}, TIMEOUT)
    except Exception:  # the cache is broken beyond what FallbackCache absorbs: cached answers must stop
        logger.exception("Could not replace the data versions %s; clearing the cache", sorted(scopes))
        try:
            cache.delete_many([KEY_PREFIX + scope for scope in scopes])
        except Exception:
            logger.exception("Could not clear the data versions either")


def changed(*scopes: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Rows of `scopes` were (or are being) written: replace their versions now and on commit."""
    scopes = tuple(dict.fromkeys(scope for scope in scopes if scope))
    if not scopes:
        return
    _replace(scopes)
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    # One commit callback per scope and transaction, however many rows the transaction writes.
    # A callback the transaction dropped (rolled back) is no longer in run_on_commit.
    pending: dict = connection.__dict__.setdefault("_data_versions_on_commit", {})
    waiting = {id(item[1]) for item in connection.run_on_commit}
    fresh = [scope for scope in scopes if id(pending.get(scope)) not in waiting]
    if not fresh:
        return

    def replace_on_commit():
        for scope in fresh:
            if pending.get(scope) is replace_on_commit:
                del pending[scope]
        _replace(fresh)

    for scope in fresh:
        pending[scope] = replace_on_commit
    transaction.on_commit(replace_on_commit, using=using)


def writes(*scopes: str):
    """Decorator for a write service: when it returns, the versions of `scopes` are replaced (inside its
    transaction, so again on commit). Model signals would catch most writes anyway; saying it at the
    service keeps bulk updates and raw SQL a service may grow covered."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            result = service(*args, **kwargs)
            changed(*scopes)
            return result

        return wrapper

    return decorate


def changed_everything(using: str = DEFAULT_DB_ALIAS) -> None:
    """For writers that bypass model signals (bulk_create, update(), restore)."""
    changed(*SCOPES, using=using)


def cached(name: str, scopes: tuple[str, ...], compute, timeout: int = 24 * 3600):
    """`compute()`, kept in the cache under `name`, the versions of `scopes`, the day and the language:
    computed once after each write of those scopes, then read from the cache (a fresh copy each time).

    One process computes while the others wait for its result (up to WAIT seconds, then they
    compute too): after a write, twenty clients asking for the dashboard at once cost one
    computation, not twenty. Computed every time while the cache runs degraded.
    """
    if not usable():
        return compute()
    key = ":".join(
        ["figures", name, timezone.localdate().isoformat(), translation.get_language() or "", *current(*scopes)]
    )
    found = cache.get(key)
    if found is not None:
        return found
    if not cache.add(key + ":computing", True, int(WAIT) + 1):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            time.sleep(0.01)
            found = cache.get(key)
            if found is not None:
                return found
    try:
        found = compute()
        cache.set(key, found, timeout)
    finally:
        cache.delete(key + ":computing")
    return found


# Seconds a process waits for another one computing the same figures.
WAIT = 5.0


# --- model signals ---------------------------------------------------------------------------


def track(mapping: dict[str, str]) -> None:
    """Declare which models' writes change which scope: {"teams": "teams", "workplans.activity": "workplans"}.

    Keys are app labels or "app_label.modelname" (lower case); a model's own entry wins over its
    app's. Auto-created many-to-many tables count as their app's (or their own entry).
    """
    _tracked.update({key.lower(): scope for key, scope in mapping.items()})


def scope_of(model) -> str | None:
    meta = model._meta
    label = meta.label_lower
    if label in _tracked:
        return _tracked[label]
    if getattr(model, "instance_type", None) is not None or meta.model_name.startswith("historical"):
        return None  # django-simple-history's rows record a change; they are not data anyone reads
    return _tracked.get(meta.app_label)


def _on_save(sender, instance, raw=False, update_fields=None, using=DEFAULT_DB_ALIAS, **kwargs):
    scope = scope_of(sender)
    if scope is None:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in is not a change of anything a read shows
    changed(scope, using=using)


def _on_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    changed(scope_of(sender), using=using)


def _on_m2m(sender, instance, action, model=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        changed(scope_of(sender) or scope_of(type(instance)), using=using)


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="core.versions.save")
    post_delete.connect(_on_delete, dispatch_uid="core.versions.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="core.versions.m2m")
