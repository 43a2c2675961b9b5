"""A cache that keeps answering when its server does not: `core.cache.FallbackCache`.

The portal's cache (API throttles, and whatever else uses Django's cache API)
lives in Redis. Redis being down must pause background work, never sign-in or
the API, so every call goes to the primary cache and, when that cannot be
reached, to a local-memory cache of this process instead:

- The first failure is logged (a WARNING naming the server, without its
  password, and the error) and the primary is left alone for RETRY_AFTER
  seconds, so requests during an outage do not each wait for a timeout; then
  one call (one thread of the process) tries it again while the others keep
  using local memory. Its return is logged too, with the outage's length.
- While the primary is down, counters (throttles) are kept per process: a
  client's limit is then counted by each web process separately, which is the
  safe side of "degraded" (nobody is refused because of the outage, every
  process still limits). Lock-outs after failed sign-ins are in the database
  and are not affected.
- A key written during the outage may have an older value in the primary (set
  before the outage). On the primary's return those keys are deleted from it,
  so nothing written meanwhile is answered with what it replaced; and the
  local memory is emptied, so a later outage does not answer with what this
  one left there.

Settings (CACHES):

    "default": {
        "BACKEND": "core.cache.FallbackCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "OPTIONS": {
            "PRIMARY": "core.cache.RedisCache",  # default: Django's, reusing its client (below)
            "PRIMARY_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "RETRY_AFTER": 5,  # seconds
        },
    }

Only errors that mean "the server cannot be reached or cannot answer" switch
over (connection, timeout, loading, read-only replica, OS errors); anything
else, such as a value that cannot be pickled, is a bug and is raised.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_PRIMARY = "core.cache.RedisCache"
# Keys written during an outage that are remembered for deletion on the primary's return; beyond
# this many (a very long outage), the oldest are forgotten.
MAX_TRACKED_KEYS = 10_000


def unavailable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    try:
        from redis import exceptions
    except ImportError:  # a primary other than Redis
        return tuple(errors)
    return (
        *errors,
        exceptions.ConnectionError,
        exceptions.TimeoutError,
        exceptions.BusyLoadingError,
        exceptions.ReadOnlyError,
    )


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis per connection pool.

    Django builds a new redis.Redis for every cache call, and each one copies
    redis-py's table of about 170 reply handlers: measured at about 0.45 ms of
    CPU per call, when a cached API answer made four calls. A redis.Redis is
    safe to share between threads: each command borrows a connection from the
    pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache with ReusedRedisClient, and `count`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient

    def count(self, key, timeout, version=None) -> tuple[int, float]:
        """Add one to the counter `key`; a new counter expires after `timeout` seconds. Returns the
        count and the seconds until it expires, in one round trip (INCR, EXPIRE NX and TTL in one
        transaction; EXPIRE NX needs Redis 7, as docker-compose.yml runs)."""
        key = self.make_and_validate_key(key, version=version)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipeline.incr(key)
        pipeline.expire(key, int(timeout), nx=True)
        pipeline.ttl(key)
        value, _set, left = pipeline.execute()
        return int(value), float(max(left, 0))


def count_in(cache: BaseCache, key, timeout, version=None) -> tuple[int, float]:
    """`count` for any Django cache: add one to the counter `key` (a new one lives `timeout` seconds).
    Without the expiry time a cache can tell, the seconds left are given as the whole `timeout`."""
    if hasattr(cache, "count"):
        return cache.count(key, timeout, version=version)
    if cache.add(key, 1, timeout, version=version):
        return 1, float(timeout)
    try:
        return cache.incr(key, version=version), float(timeout)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout, version=version)
        return 1, float(timeout)


def _invoke(cache: BaseCache, method, args, kwargs):
    if callable(method):
        return method(cache, *args, **kwargs)
    return getattr(cache, method)(*args, **kwargs)


class _Health:
    """Whether one primary (by location) is reachable, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        # (key, version) written to the fallback during the outage, oldest first.
        self.written: dict[tuple[str, int | None], None] = {}

    def should_try(self, retry_after: float) -> bool:
        """True when the primary is up, or when this caller is the one to try it again now."""
        if self.down_since is None:
            return True
        with self.lock:
            now = time.monotonic()
            if self.down_since is None or now >= self.retry_at:
                # Only this caller probes; the others keep to local memory until it knows.
                self.retry_at = now + retry_after
                return True
            return False


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def health_of(location: str) -> _Health:
    with _health_lock:
        return _health.setdefault(location, _Health())


class FallbackCache(BaseCache):
    def __init__(self, location: str, params: dict):
        params = dict(params)
        options = dict(params.pop("OPTIONS", None) or {})
        primary_path = options.pop("PRIMARY", DEFAULT_PRIMARY)
        primary_options = options.pop("PRIMARY_OPTIONS", {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        super().__init__({**params, "OPTIONS": options})
        # Both get the key prefix, version and timeout of this cache; keys are made by them.
        shared = {key: value for key, value in params.items() if key != "BACKEND"}
        self.location = location
        self.primary: BaseCache = import_string(primary_path)(location, {**shared, "OPTIONS": primary_options})
        # LocMemCache instances of one name share their memory within the process (every thread's).
        self.fallback = LocMemCache(f"fallback:{location}", {**shared, "OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.health = health_of(location)
        self.unavailable = unavailable_errors()

    # --- switching -------------------------------------------------------------------------------

    @property
    def degraded(self) -> bool:
        """True while this process answers from local memory."""
        return self.health.down_since is not None

    def _call(self, method, *args, writes=(), **kwargs) -> Any:
        """Call `method` on the primary, or on local memory while the primary is unreachable.

        `method`: the name of a method of Django's cache API, or a function taking the cache first.
        `writes`: the (key, version) the call sets or deletes, remembered when it goes to local memory.
        """
        health = self.health
        if health.should_try(self.retry_after):
            try:
                result = _invoke(self.primary, method, args, kwargs)
            except self.unavailable as exc:
                self._went_down(exc)
            else:
                if health.down_since is not None:
                    self._came_back()
                return result
        if writes:
            self._remember(writes)
        return _invoke(self.fallback, method, args, kwargs)

    def _went_down(self, exc: BaseException) -> None:
        health = self.health
        with health.lock:
            first = health.down_since is None
            now = time.monotonic()
            if first:
                health.down_since = now
            health.retry_at = now + self.retry_after
        if first:
            logger.warning(
                "Cache server %s is not answering (%s: %s); this process uses its local memory instead "
                "(throttles count per process) and tries the server again every %.0f s",
                self._where(),
                exc.__class__.__name__,
                exc,
                self.retry_after,
            )

    def _came_back(self) -> None:
        health = self.health
        with health.lock:
            if health.down_since is None:
                return
            outage = time.monotonic() - health.down_since
            written, health.written = list(health.written), {}
            health.down_since = None
        by_version: dict[int | None, list[str]] = defaultdict(list)
        for key, version in written:
            by_version[version].append(key)
        try:
            # What was written meanwhile must not be answered with the value it replaced.
            for version, keys in by_version.items():
                for start in range(0, len(keys), 500):
                    self.primary.delete_many(keys[start : start + 500], version=version)
        except self.unavailable as exc:
            self._went_down(exc)
            with health.lock:
                for item in written:
                    health.written.setdefault(item, None)
            return
        # Nothing of this outage may be answered in the next one.
        self.fallback.clear()
        logger.warning(
            "Cache server %s answers again after %.1f s; %d keys written meanwhile were cleared from it",
            self._where(),
            outage,
            len(written),
        )

    def _remember(self, writes) -> None:
        with self.health.lock:
            written = self.health.written
            for item in writes:
                written.pop(item, None)
                written[item] = None
            while len(written) > MAX_TRACKED_KEYS:
                written.pop(next(iter(written)))

    def _where(self) -> str:
        # The location without a password (redis://:secret@host/0).
        location = self.location if isinstance(self.location, str) else ",".join(self.location)
        scheme, sep, rest = location.partition("://")
        return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else location

    # --- Django's cache API ----------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version, writes=[(key, version)])

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version, writes=[(key, version)])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version, writes=[(key, version)])

    def delete(self, key, version=None):
        return self._call("delete", key, version, writes=[(key, version)])

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version, writes=[(key, version)])

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version, writes=[(key, version)])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version, writes=[(key, version) for key in data])

    def count(self, key, timeout, version=None) -> tuple[int, float]:
        """See RedisCache.count; in local memory while the primary is down (throttles count per process)."""
        return self._call(count_in, key, timeout, version, writes=[(key, version)])

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call("delete_many", keys, version, writes=[(key, version) for key in keys])

    def clear(self):
        self.fallback.clear()
        return self._call("clear")

    def close(self, **kwargs):
        for cache in (self.primary, self.fallback):
            with contextlib.suppress(*self.unavailable):
                cache.close(**kwargs)
