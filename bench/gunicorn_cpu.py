"""gunicorn configuration for bench/load_test.py: the CPU each request costs its worker, per endpoint.

The CPU clock of the thread serving a request, between `pre_request` and
`post_request`, is that request's Python cost, with sync workers and with
gthread workers alike (the PostgreSQL backend's share is counted apart by the
load test). Each worker writes its
totals to LOAD_TEST_CPU_DIR when it exits; the load test adds them up.
"""

import json
import os
import re
import threading
import time
from collections import defaultdict

_started: dict[int, float] = {}
_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_lock = threading.Lock()
_NUMBER = re.compile(r"/\d+(?=/)")


def endpoint(req) -> str:
    """ "GET /api/v1/teams/<id>/ 200": the method, the path with ids folded, and the status."""
    return f"{req.method} {_NUMBER.sub('/<id>', req.path)}"


def pre_request(worker, req):
    _started[id(req)] = time.thread_time()


def post_request(worker, req, environ, resp):
    started = _started.pop(id(req), None)
    if started is None:
        return
    spent = time.thread_time() - started
    with _lock:
        total = _totals[f"{endpoint(req)} {str(resp.status).split()[0]}"]
        total[0] += 1
        total[1] += spent


def worker_exit(server, worker):
    directory = os.environ.get("LOAD_TEST_CPU_DIR")
    if directory and _totals:
        with open(os.path.join(directory, f"cpu-{os.getpid()}.json"), "w", encoding="utf-8") as out:
            json.dump(dict(_totals), out)
