"""Structured request logging with a request id.

Every request gets an id (the proxy's X-Request-ID when it sends a sane one,
otherwise a new one). It is returned in the X-Request-ID header, shown on the
500 page, and added to every log record made while the request is handled, so
one id finds the access line, the error and the traceback together.
"""

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# The request being handled, for code reached without it (model signals writing
# the security log want the client's address).
current_request_var: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)
logger = logging.getLogger("unnutrition.requests")
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the logging config attaches it to handlers)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


def loaded_user(request):
    """The request's user if it was already read: logging never queries (the database may be away)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None)
    if user is None or wrapped is empty:
        return None
    return wrapped if wrapped is not None else user


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        request_token = current_request_var.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            user = loaded_user(request)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            current_request_var.reset(request_token)
            request_id_var.reset(token)
