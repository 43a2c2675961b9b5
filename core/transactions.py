"""One transaction per request that may write, none for the requests that only read.

Django's ATOMIC_REQUESTS wraps every view in a transaction, reads included: a
BEGIN and a COMMIT round trip on every GET for nothing. This middleware keeps
the guarantee where it matters: a POST, PUT, PATCH or DELETE runs in one
transaction, rolled back when the view raises (as ATOMIC_REQUESTS does) or when
DRF turns an exception into an error response (as DRF's `set_rollback` does
under ATOMIC_REQUESTS). A GET, HEAD or OPTIONS runs in autocommit; every service
opens its own transaction for any write it makes. Views marked
`transaction.non_atomic_requests` (the token view, whose failed attempts must
stay recorded) are left alone. Inside an enclosing transaction (only a test's:
requests run in autocommit) a read gets a savepoint too, so a database error in
it is rolled back to there instead of aborting the test's transaction.
"""

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.urls import Resolver404, resolve

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AtomicWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method in SAFE_METHODS and not connection.in_atomic_block) or self._exempt(request):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            # `exception` marks a response DRF made from an exception it handled.
            if getattr(request, "_rollback_request", False) or getattr(response, "exception", False):
                transaction.set_rollback(True)
            return response

    def process_exception(self, request, exception):
        request._rollback_request = True  # the view raised: nothing it wrote stays (the error page is made after)

    @staticmethod
    def _exempt(request) -> bool:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return DEFAULT_DB_ALIAS in getattr(match.func, "_non_atomic_requests", ())
