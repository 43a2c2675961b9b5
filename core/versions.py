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

Parts: a scope can be split finer, so that a write retires only what shows
its rows. `track_parts()` names, for a model, the part its rows belong to
(an activity -> "workplan:<its workplan>"); the signals of such a row replace
the scope's version and the part's (of the part the row was loaded in too, if it
moved). Anything else that changes the scope (a model without parts, a write
service, a bulk loader) replaces the scope's version *and* its "every part"
token (`EVERY_PART`), which is in every part's key: so a writer that does not
name its parts retires them all, as before. A service whose writes all go
through save()/delete()/many-to-many changes says `writes(scope, rows_signalled=True)`:
its rows' signals name the parts, it replaces only the scope's version.
`cached_parts()` keeps figures per part under the versions of its own part.

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
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
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
# "app_label.modelname" -> (part kind, attribute naming the part): filled by track_parts().
_parts: dict[str, tuple[str, str]] = {}
# Suffix of the token every part's key includes; replaced whenever a scope changes without naming its parts.
EVERY_PART = ":*"


def usable() -> bool:
    """Whether versions (and so cached answers) can be trusted: not while the cache runs degraded."""
    return not getattr(cache, "degraded", False)


def _new_token() -> str:
    return secrets.token_hex(8)


def current(*scopes: str) -> tuple[str, ...]:
    """The versions of `scopes` now, in that order (one cache round trip; missing ones are created)."""
    wanted = keys(*scopes)
    found = cache.get_many(wanted)
    versions = []
    for key in wanted:
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


def part(scope: str, kind: str, value) -> str:
    """The version name of one part of `scope`: part(WORKPLANS, "workplan", 12) -> "workplans:workplan:12"."""
    return f"{scope}:{kind}:{value}"


def keys(*names: str) -> list[str]:
    """The cache keys of the versions `names` (to read them with other keys in one round trip)."""
    return [KEY_PREFIX + name for name in names]


def part_names(*scopes: str, parts=()) -> tuple[str, ...]:
    """For what shows only some parts of the last scope: the names of the versions of `scopes` but
    the last, the last one's EVERY_PART token and the versions of `parts`. Unlike the scope's own
    version, these are not replaced by writes to other parts."""
    *whole, split = scopes
    return (*whole, split + EVERY_PART, *parts)


def part_versions(*scopes: str, parts=()) -> tuple[str, ...]:
    """The versions `part_names` names (one cache round trip)."""
    return current(*part_names(*scopes, parts=parts))


def changed(*scopes: str, parts=None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Rows of `scopes` were (or are being) written: replace their versions now and on commit.

    `parts`: the versions of the parts the rows belong to (`part()`), which are replaced too; None
    (not known) replaces every part of `scopes`. An empty list: the rows' parts were named apart."""
    scopes = tuple(dict.fromkeys(scope for scope in scopes if scope))
    if scopes:
        if parts is None:
            scopes = (*scopes, *(scope + EVERY_PART for scope in scopes))
        else:
            scopes = (*scopes, *dict.fromkeys(parts))
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


def writes(*scopes: str, rows_signalled: bool = False):
    """Decorator for a write service: when it returns, the versions of `scopes` are replaced (inside its
    transaction, so again on commit). Model signals would catch most writes anyway; saying it at the
    service keeps bulk updates and raw SQL a service may grow covered, and retires every part.

    `rows_signalled=True`: the service writes only through save(), delete() and many-to-many
    changes, whose signals replace the parts of the rows; every other part stays. A service that
    grows a bulk update() or raw SQL must drop it."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            result = service(*args, **kwargs)
            changed(*scopes, parts=() if rows_signalled else None)
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


def cached_parts(name: str, scopes: tuple[str, ...], parts: dict, compute, timeout: int = 24 * 3600) -> dict:
    """{key: value} for every key of `parts` ({key: version name of a part of the last of `scopes`}),
    each value kept in the cache under `name`, the versions of the other scopes, the last one's
    EVERY_PART token, the day, the language and the version of its own part (`part_versions`).
    `compute(keys)` returns {key: value} for the keys not found: after a write of one part, only
    that part is computed again. Computed every time while the cache runs degraded."""
    if not usable():
        return compute(list(parts))
    shared = (*scopes[:-1], scopes[-1] + EVERY_PART)
    tokens = part_versions(*scopes, parts=parts.values())
    prefix = ":".join(
        ["figures", name, timezone.localdate().isoformat(), translation.get_language() or "", *tokens[: len(shared)]]
    )
    keys = {key: f"{prefix}:{token}" for key, token in zip(parts, tokens[len(shared) :], strict=True)}
    found = cache.get_many(list(keys.values()))
    values = {key: found[cache_key] for key, cache_key in keys.items() if cache_key in found}
    missing = [key for key in parts if key not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[key]: computed[key] for key in missing}, timeout)
        values.update(computed)
    return values


# --- model signals ---------------------------------------------------------------------------


def track(mapping: dict[str, str]) -> None:
    """Declare which models' writes change which scope: {"teams": "teams", "workplans.activity": "workplans"}.

    Keys are app labels or "app_label.modelname" (lower case); a model's own entry wins over its
    app's. Auto-created many-to-many tables count as their app's (or their own entry).
    """
    _tracked.update({key.lower(): scope for key, scope in mapping.items()})


def track_parts(label: str, kind: str, attribute: str) -> None:
    """Rows of the model `label` ("app_label.modelname") belong to the part `kind` named by their
    `attribute` (a column's attname): track_parts("workplans.activity", "workplan", "workplan_id"); or
    through a relation, "activity.workplan_id", read only when the row holds the related object
    (otherwise its writes retire every part).
    Called once the apps are loaded (AppConfig.ready)."""
    from django.apps import apps

    _parts[label.lower()] = (kind, attribute)
    post_init.connect(_remember_part, sender=apps.get_model(label), dispatch_uid=f"core.versions.init.{label.lower()}")


def _part_value(instance, attribute: str):
    """The value of `attribute` ("workplan_id", or through a relation: "activity.workplan_id") from
    what the instance already holds, or None: reading a deferred field or a relation not loaded
    would query in a signal."""
    *relations, name = attribute.split(".")
    for relation in relations:
        instance = instance._state.fields_cache.get(relation)
        if instance is None:
            return None
    return instance.__dict__.get(name)


def _parts_of(instance, scope: str):
    """The part versions a row's write changes, or None when not known (every part of the scope)."""
    found = _parts.get(instance._meta.label_lower)
    if found is None:
        return None
    kind, attribute = found
    now, loaded = _part_value(instance, attribute), instance.__dict__.get("_versions_loaded_part")
    if now is None:
        return None
    return [part(scope, kind, value) for value in dict.fromkeys((now, loaded)) if value is not None]


def _remember_part(sender, instance, **kwargs):
    # The part a row was loaded in, so that moving it (an activity to another workplan) retires both.
    found = _parts.get(sender._meta.label_lower)
    if found is not None:
        value = _part_value(instance, found[1])
        if value is not None:
            instance.__dict__["_versions_loaded_part"] = value


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
    changed(scope, parts=_parts_of(instance, scope), using=using)
    _remember_part(sender, instance)


def _on_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    scope = scope_of(sender)
    if scope is not None:
        changed(scope, parts=_parts_of(instance, scope), using=using)


def _on_m2m(sender, instance, action, model=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        scope = scope_of(sender) or scope_of(type(instance))
        if scope is not None:
            # Forward (activity.tags.add): the instance's part; reverse (tag.activities.add): not known.
            changed(scope, parts=_parts_of(instance, scope), using=using)


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="core.versions.save")
    post_delete.connect(_on_delete, dispatch_uid="core.versions.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="core.versions.m2m")
