import re

import pytest
from rest_framework.test import APIClient

RECORD = re.compile(r"^(/api/v1/[\w-]+/\d+/)")


class WellBehavedClient(APIClient):
    """An API client that changes a record the way a careful script does: it reads the
    record first and sends that ETag in If-Match (unless the test sets If-Match itself,
    or sends `if_match=None` to send none)."""

    def _conditional(self, method, path, data=None, if_match="read", **extra):
        record = RECORD.match(path)
        if if_match == "read" and "HTTP_IF_MATCH" not in extra and record:
            read = self.get(record.group(1))
            if_match = read["ETag"] if read.status_code == 200 else None
        if if_match not in (None, "read") and "HTTP_IF_MATCH" not in extra:
            extra["HTTP_IF_MATCH"] = if_match
        return getattr(super(), method)(path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._conditional("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._conditional("put", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self._conditional("delete", path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._conditional("post", path, data, **extra)


@pytest.fixture
def api():
    """api(user) -> an API client signed in as `user` (None: anonymous)."""

    def client_for(user):
        client = WellBehavedClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
