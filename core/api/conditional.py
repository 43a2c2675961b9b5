"""Conditional requests: ETag on reads and writes, 304 on If-None-Match; a versioned answer cache.

The ETag is a hash of the JSON representation a client reads, so it changes
whenever anything the client sees changes (a nested activity too). A write
carrying the ETag of an older read in If-Match is refused with 412: the
services check it on the locked row (teams.api.viewsets.TeamScopedViewSet).

Answer cache: a view that names `cache_scopes` (core.versions) keeps each 200
it builds for a GET, rendered, with its ETag, in Django's cache under a key made
of the address with its parameters, the format, the language, the day, and
`cache_variant(request)` (what else the answer depends on for this caller:
whether contacts are shown). The entry carries the data versions of those
scopes it was built under; a GET reads the versions and the entry (or only its
ETag, for a conditional GET) in one round trip, before any database query, and
answers from the entry when its versions are the current ones (a 304 when
If-None-Match names the ETag), without touching the database beyond
authentication. A write replaces the versions of its scope, so no entry built
before it is answered again. While the cache runs degraded (Redis down,
core.cache.FallbackCache), nothing is served from or stored in it.
"""

import hashlib
import time

import orjson
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import parse_etags, quote_etag
from rest_framework import status
from rest_framework.response import Response

from core import versions

# How long an answer is kept at most (a version change retires it much sooner).
ANSWER_TIMEOUT = 24 * 3600
# With the way ETags are computed (etag_of) and entries are kept: answers of an earlier release are not found.
ANSWER_PREFIX = "answer:3:"
# Seconds a request waits for another process building the same answer before building it itself.
BUILD_WAIT = 2.0


def etag_of(data) -> str:
    """The ETag of a representation: a hash of its JSON with sorted keys (orjson: a page of 500
    activities costs about 1 ms instead of 5 with the json module)."""
    payload = orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return quote_etag(hashlib.sha256(payload).hexdigest()[:32])


def etag_matches(etag: str, header: str) -> bool:
    """Whether an If-Match / If-None-Match header names `etag` (or says `*`).

    The tags are hashes of the content, so a weak tag (`W/"..."`, which a
    compressing proxy may turn ours into) names the same content as the
    strong one: both compare equal.
    """
    wanted = {tag.removeprefix("W/") for tag in parse_etags(header or "")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


class _Answered(Exception):
    """Raised by `initial` when the cache holds the answer: DRF's dispatch then returns it as is."""

    def __init__(self, response):
        super().__init__("answered from the cache")
        self.response = response


def not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = etag
    return response


class ConditionalMixin:
    """For DRF views: an ETag on every JSON answer, 304 when If-None-Match names it.

    Set `cache_scopes` to keep answers in the versioned cache (see the module's docstring) and
    override `cache_variant` when an answer differs between callers.
    """

    cache_scopes: tuple[str, ...] = ()
    _answer_key: str | None = None
    _answer_versions: tuple[str, ...] = ()
    _building: str | None = None  # the lock of the answer this request builds (others may wait for it)

    def cache_variant(self, request) -> str:
        """What the answer depends on besides the address and the data: "" when it is the same for all."""
        return ""

    def answer_version_names(self, request) -> tuple[str, ...]:
        """The names of the data versions this GET's answer is kept under: `cache_scopes`. A view whose
        answer shows one part of a scope (one workplan) may name that part's version instead of the
        scope's (core.versions.part_names), so that writes to other parts leave it in the cache:
        the versions must cover everything the answer shows."""
        return tuple(self.cache_scopes)

    def answer_key(self, request) -> str | None:
        """The cache key of this GET's answer, or None when it is not to be cached. The key holds no
        data version: the entry carries the versions it was built under, read in the same round trip."""
        if request.method not in ("GET", "HEAD") or not self.cache_scopes or not versions.usable():
            return None
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is None or renderer.format not in ("json", "csv"):
            return None  # the browsable API is a page for a person, built each time
        parts = [
            f"{type(self).__module__}.{type(self).__qualname__}",
            request.get_full_path(),
            renderer.format,
            request.accepted_media_type or "",
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            self.cache_variant(request),
        ]
        return ANSWER_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]

    def _fresh(self, entry):
        """The entry's value without its versions, when it was built under the versions read now."""
        if entry is not None and entry[0] == self._answer_versions:
            return entry[1:]
        return None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._answer_key = key = self.answer_key(request)
        if key is None:
            return
        wanted = request.headers.get("If-None-Match", "")
        # One round trip: the data versions and the ETag (conditional) or the answer (otherwise).
        looked_up = key + ":etag" if wanted else key
        names = self.answer_version_names(request)
        version_keys = versions.keys(*names)
        found = cache.get_many([*version_keys, looked_up])
        if all(name in found for name in version_keys):
            self._answer_versions = tuple(found[name] for name in version_keys)
        else:  # a version not made yet, or evicted: made now, and nothing kept under it yet
            self._answer_versions, found = versions.current(*names), {}
        stored = self._fresh(found.get(looked_up))
        if wanted:
            if stored is not None and etag_matches(stored[0], wanted):
                raise _Answered(not_modified(stored[0]))
            stored = self._fresh(cache.get(key))
        if stored is None:
            lock = f"{key}:building:{hashlib.sha256(repr(self._answer_versions).encode()).hexdigest()[:16]}"
            if cache.add(lock, True, int(BUILD_WAIT * 2)):
                self._building = lock
            else:
                # Another process is building this very answer (the first read after a write): wait for it.
                deadline = time.monotonic() + BUILD_WAIT
                while stored is None and time.monotonic() < deadline:
                    time.sleep(0.005)
                    stored = self._fresh(cache.get(key))
        if stored is not None:
            etag, content_type, headers, content = stored
            if wanted and etag_matches(etag, wanted):
                raise _Answered(not_modified(etag))
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers:
                response[name] = value
            response["ETag"] = etag
            raise _Answered(response)

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def keep_answer(self, response: Response, etag: str) -> None:
        """Store a rendered 200 under this request's key (a failure to store is only a miss next time)."""
        response.render()
        headers = [(name, response[name]) for name in ("Content-Disposition",) if response.has_header(name)]
        built_under = self._answer_versions
        cache.set_many(
            {
                self._answer_key: (built_under, etag, response["Content-Type"], headers, response.content),
                self._answer_key + ":etag": (built_under, etag),
            },
            ANSWER_TIMEOUT,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            return self._finalize(request, response, *args, **kwargs)
        finally:
            if self._building:
                lock, self._building = self._building, None
                cache.delete(lock)

    def representation(self, instance):
        """The data a GET of this object returns."""
        serializer_class = getattr(self, "read_serializer_class", None) or self.get_serializer_class()
        return serializer_class(instance, context=self.get_serializer_context()).data

    def _finalize(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            isinstance(response, Response)
            and response.status_code == status.HTTP_200_OK
            and isinstance(response.data, dict | list)
            and request.method in ("GET", "HEAD", "PUT", "PATCH", "POST")
            and not response.has_header("ETag")
        ):
            etag = etag_of(response.data)
            response["ETag"] = etag
            if self._answer_key is not None and request.method in ("GET", "HEAD"):
                self.keep_answer(response, etag)
            if request.method in ("GET", "HEAD") and etag_matches(etag, request.headers.get("If-None-Match", "")):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response
