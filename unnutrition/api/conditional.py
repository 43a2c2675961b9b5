"""Conditional requests: ETag on reads, 304 on If-None-Match, 412 on a stale If-Match.

The ETag is a hash of the JSON representation a client reads, so it changes
whenever anything the client sees changes (a nested activity too), and a write
carrying the ETag of an older read is refused instead of overwriting.
"""

import hashlib
import json

from django.utils.http import parse_etags, quote_etag
from rest_framework import status
from rest_framework.response import Response

from .exceptions import PreconditionFailed


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return quote_etag(hashlib.sha256(payload).hexdigest()[:32])


class ConditionalMixin:
    """For DRF viewsets: ETag/If-None-Match on GET, If-Match on writes."""

    def representation(self, instance):
        """The data a GET of this object returns."""
        serializer_class = getattr(self, "read_serializer_class", None) or self.get_serializer_class()
        return serializer_class(instance, context=self.get_serializer_context()).data

    def check_if_match(self, instance):
        header = self.request.headers.get("If-Match")
        if not header:
            return
        wanted = parse_etags(header)
        if "*" not in wanted and etag_of(self.representation(instance)) not in wanted:
            raise PreconditionFailed()

    def get_object(self):
        instance = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            self.check_if_match(instance)
        return instance

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
            if request.method in ("GET", "HEAD") and etag in parse_etags(request.headers.get("If-None-Match", "")):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response
