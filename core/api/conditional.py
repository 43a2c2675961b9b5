"""Conditional requests: ETag on reads and writes, 304 on If-None-Match.

The ETag is a hash of the JSON representation a client reads, so it changes
whenever anything the client sees changes (a nested activity too). A write
carrying the ETag of an older read in If-Match is refused with 412: the
services check it on the locked row (teams.api.viewsets.TeamScopedViewSet).
"""

import hashlib
import json

from django.utils.http import parse_etags, quote_etag
from rest_framework import status
from rest_framework.response import Response


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return quote_etag(hashlib.sha256(payload).hexdigest()[:32])


def etag_matches(etag: str, header: str) -> bool:
    """Whether an If-Match / If-None-Match header names `etag` (or says `*`).

    The tags are hashes of the content, so a weak tag (`W/"..."`, which a
    compressing proxy may turn ours into) names the same content as the
    strong one: both compare equal.
    """
    wanted = {tag.removeprefix("W/") for tag in parse_etags(header or "")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


class ConditionalMixin:
    """For DRF views: an ETag on every JSON answer, 304 when If-None-Match names it."""

    def representation(self, instance):
        """The data a GET of this object returns."""
        serializer_class = getattr(self, "read_serializer_class", None) or self.get_serializer_class()
        return serializer_class(instance, context=self.get_serializer_context()).data

    def finalize_response(self, request, response, *args, **kwargs):
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
            if request.method in ("GET", "HEAD") and etag_matches(etag, request.headers.get("If-None-Match", "")):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response
