"""503 instead of 500 while the database cannot be reached: a restart, terminated connections, a failover.

Every request that needs the database while it is away answers at once, with 503 and Retry-After:
the portal's own page in the reader's language, JSON for the API. No request waits for gunicorn's
worker timeout: new connections give up after DJANGO_DB_CONNECT_TIMEOUT, statements and lock waits
after DJANGO_DB_STATEMENT_TIMEOUT / DJANGO_DB_LOCK_TIMEOUT (settings). Nothing half-written stays
behind (each write is one transaction, rolled back), and as soon as PostgreSQL answers again the next
request reconnects (CONN_HEALTH_CHECKS) without restarting anything.

Three places route such an error here, so that none ends as a 500:
- `DatabaseUnavailableMiddleware.process_exception`: errors raised by portal views and templates;
- `core.api.exceptions.exception_handler`: errors raised by API views (authentication included);
- the 500 handler (unnutrition.views.server_error) asks `current_error_is_database_unavailable`
  for errors raised outside views (a middleware saving the session, for example).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.request_log import request_id_var

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5
# Lost connections, refused connections, a server starting up or shutting down, statement and lock
# timeouts: all "not now" rather than "wrong".
UNAVAILABLE = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE)


def current_error_is_database_unavailable() -> bool:
    """For a handler called while an exception is being handled (handler500)."""
    return is_database_unavailable(sys.exc_info()[1])


def api_message() -> str:
    return _(
        "The database is not answering at the moment. Try again in a few seconds; if you were changing a "
        "record, read it first to see whether the change was saved."
    )


def roll_back() -> None:
    """Whatever transaction the request opened ends without a trace (it cannot commit anyway)."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            connection.set_rollback(True)


def log(request, exc: BaseException) -> None:
    logger.warning(
        "Database unavailable during %s %s: %s: %s",
        request.method,
        request.path,
        exc.__class__.__name__,
        str(exc).strip(),
        exc_info=exc,
    )


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def database_unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: JSON for the API, the portal's page (no database needed) otherwise."""
    if is_api(request):
        response: HttpResponse = JsonResponse({"detail": api_message(), "code": "database_unavailable"}, status=503)
    else:
        # Rendered without the request: no context processor, so no query for the user or the header.
        body = loader.get_template("503.html").render({"request_id": request_id_var.get()})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database under a portal (or API) view into a quick 503 instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        log(request, exception)
        roll_back()
        return database_unavailable_response(request)
